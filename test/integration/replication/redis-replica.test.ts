import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/errors/index.js';
import { startReplicaOf } from '../../../src/local/drill/redis-replica.js';
import { LocalRedis } from '../../../src/local/redis-server.js';
import {
  checkRedisReplication,
  openRedisEnd,
  requireHealthyReplication,
} from '../../../src/replication/redis-replication.js';

/** Polls until `check` holds (bounded): replication comes up in its own time on a loaded machine. */
async function eventually<T>(read: () => Promise<T>, check: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: last seen ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a Redis replica in the secondary region, checked through INFO replication', () => {
  let primary: LocalRedis;
  let replica: LocalRedis;
  let ends: ReturnType<typeof openRedisEnd>[] = [];
  const link = () => {
    const p = openRedisEnd(primary.url);
    const r = openRedisEnd(replica.url);
    ends.push(p, r);
    return { name: 'sessions', primary: p, replica: r, limits: { maxLagSeconds: 5, maxLagBytes: 1_048_576 } };
  };

  beforeAll(async () => {
    primary = await LocalRedis.start();
    replica = await startReplicaOf({ host: '127.0.0.1', port: primary.port });
  });
  afterAll(async () => {
    await Promise.all(ends.map((e) => e.close()));
    await replica?.destroy();
    await primary?.destroy();
    ends = [];
  });

  it('is healthy once connected: online, lag within the limits, writes arriving', async () => {
    const health = await eventually(
      () => checkRedisReplication(link()),
      (h) => h.healthy,
      'replica never became healthy',
    );
    expect(health.lagSeconds).toBeLessThanOrEqual(5);
    expect(health.lagBytes).toBeLessThanOrEqual(1_048_576);
    // Data written in the primary region reaches the secondary.
    const { Redis } = await import('ioredis');
    const w = new Redis(primary.url);
    const r = new Redis(replica.url);
    try {
      await w.set('drill:probe', 'written-in-eu-west');
      expect(
        await eventually(
          () => r.get('drill:probe'),
          (v) => v === 'written-in-eu-west',
          'write never replicated',
        ),
      ).toBe('written-in-eu-west');
    } finally {
      w.disconnect();
      r.disconnect();
    }
  });

  it('a standalone server named as the replica is refused: it replicates nothing', async () => {
    const standalone = await LocalRedis.start();
    try {
      const p = openRedisEnd(primary.url);
      const s = openRedisEnd(standalone.url);
      ends.push(p, s);
      const err = await requireHealthyReplication({
        name: 'sessions',
        primary: p,
        replica: s,
        limits: { maxLagSeconds: 5, maxLagBytes: 1 },
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: ErrorCode.ReplicationUnhealthy });
      expect((err as Error).message).toMatch(/is a primary: it replicates nothing/);
    } finally {
      await standalone.destroy();
    }
  });

  it('losing the primary shows as a broken link and an unreadable primary, not a crash', async () => {
    await primary.kill();
    const health = await eventually(
      () => checkRedisReplication(link()),
      (h) =>
        h.problems.some((p) => /link to its primary is down/.test(p)) ||
        h.problems.some((p) => /cannot read the primary/.test(p)),
      'the broken link was never reported',
    );
    expect(health.healthy).toBe(false);
    expect(health.problems.join('; ')).toMatch(/cannot read the primary/);
  });
});
