import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RunExpired } from '../../../src/engine/errors/run-expired.js';
import { startHarness, tempDir, type Harness } from '../../support/engine-harness.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

const targets = ['r1', 'r2', 'r3'];

/** Every key under `pattern`, by SCAN (the test's prefix is its own). */
async function keysLike(redis: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    out.push(...batch);
  } while (cursor !== '0');
  return out;
}

async function runGated(h: Harness): Promise<string> {
  const runId = await h.engine.start({
    workflow: 'deploy-gated',
    params: { dir: tempDir(), targets },
    requester: 'U-REQ',
  });
  await h.event((e) => e.runId === runId && e.type === 'gate.waiting');
  await h.engine.decide({ runId, gateId: 'execution.approval', decision: 'approve', by: 'U-OK' });
  await h.finished(runId);
  return runId;
}

describe('retention: a finished run expires after the configured period', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(testRedisUrl());
  });
  afterAll(() => redis.disconnect());

  it('gives every key of a finished run a TTL of the retention period and removes the decided gate’s timeout job', async () => {
    const retentionMs = 7 * 24 * 3600_000;
    const h = await startHarness(testRedisUrl(), uniquePrefix('retain'), { concurrency: 4 }, { retentionMs });
    try {
      const runId = await runGated(h);
      const keys = await keysLike(redis, `${h.prefix}:run:${runId}*`);
      // state, tasks, outputs, gates, ledger, events, rollout, stages, changed list: all of them
      expect(keys.length).toBeGreaterThanOrEqual(8);
      for (const key of keys) {
        const ttl = await redis.pttl(key);
        expect({ key, expires: ttl > 0 && ttl <= retentionMs }).toEqual({ key, expires: true });
      }
      const timeoutJob = await redis.exists(`${h.prefix}:control:${runId}|execution.approval|timeout`);
      expect(timeoutJob).toBe(0);
      const delayed = await redis.zrange(`${h.prefix}:control:delayed`, 0, -1);
      expect(delayed.filter((id) => id.startsWith(runId))).toEqual([]);
      // The run is still readable until it expires.
      expect((await h.engine.get(runId)).state).toBe('succeeded');
    } finally {
      await h.close();
    }
  });

  it('after the period the run’s keys are gone, `get` says it expired, and the run index forgets it', async () => {
    const h = await startHarness(
      testRedisUrl(),
      uniquePrefix('expire'),
      { concurrency: 4, reconcileIntervalMs: 500 },
      { retentionMs: 1500 },
    );
    try {
      const runId = await runGated(h);
      const deadline = Date.now() + 60_000;
      while ((await keysLike(redis, `${h.prefix}:run:${runId}*`)).length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(await keysLike(redis, `${h.prefix}:run:${runId}*`)).toEqual([]);
      const err = await h.engine.get(runId).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RunExpired);
      expect((err as RunExpired).message).toMatch(
        /has expired: finished runs are kept .*audit record is kept/,
      );
      expect(await h.engine.list()).toEqual([]);
      // The reconciler drops expired runs from the run index (it would otherwise grow with every run).
      while ((await redis.zscore(`${h.prefix}:runs`, runId)) !== null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(await redis.zscore(`${h.prefix}:runs`, runId)).toBeNull();
    } finally {
      await h.close();
    }
  });
});
