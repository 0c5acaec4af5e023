import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisAuditLog } from '../../../src/audit/index.js';
import { scheduledFire } from '../../../src/app/scheduled-fire.js';
import { ChangeFreeze } from '../../../src/control/change-freeze.js';
import { RunSchedules } from '../../../src/control/run-schedules.js';
import { createEngine, createRegistry, type EngineRuntime } from '../../../src/engine/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { deployGated } from '../../support/test-workflows.js';
import { until } from '../../support/slack-app-fixture.js';

/**
 * A schedule on BullMQ job schedulers with two schedule workers (two connections, as two processes
 * would have): every fire starts exactly one run, which waits at its approval gate; during a freeze a
 * fire starts nothing and says so in the channel.
 */
describe('scheduled runs', { timeout: 120_000 }, () => {
  const prefix = uniquePrefix('sched');
  const redis = new Redis(testRedisUrl());
  let engine: EngineRuntime;
  const schedules: RunSchedules[] = [];
  const workers: { close(): Promise<void> }[] = [];
  const notes: { channel: string; text: string }[] = [];
  let audit: RedisAuditLog;
  let freeze: ChangeFreeze;

  beforeAll(async () => {
    engine = await createEngine({
      redis: testRedisUrl(),
      prefix,
      registry: createRegistry([deployGated]),
      logger: silentLogger(),
    });
    engine.startWorkers({ concurrency: 4 });
    audit = new RedisAuditLog(redis, prefix, silentLogger());
    freeze = new ChangeFreeze(redis, prefix, []);
    for (let i = 0; i < 2; i++) {
      const s = new RunSchedules(testRedisUrl(), prefix);
      schedules.push(s);
      workers.push(
        s.startWorker(
          scheduledFire({
            engine,
            freeze,
            audit,
            redis,
            prefix,
            say: (channel, text) => Promise.resolve(void notes.push({ channel, text })),
            logger: silentLogger(),
          }),
        ),
      );
    }
  });
  afterAll(async () => {
    await schedules[0]?.remove('every-2s');
    for (const w of workers) await w.close();
    for (const s of schedules) await s.close();
    await engine.close();
    redis.disconnect();
  });

  const scheduled = async () =>
    (await engine.list({ limit: 100 })).filter((r) => r.meta.schedule === 'every-2s');

  it('fires once per tick across two workers, and each run waits at its gate', async () => {
    await schedules[0]!.upsert({
      id: 'every-2s',
      cron: '*/2 * * * * *',
      timeZone: 'Europe/Berlin',
      workflow: 'deploy-gated',
      words: ['a,b,c'],
      params: { dir: await mkdtemp(join(tmpdir(), 'marshal-sched-')), targets: ['a', 'b', 'c'] },
      dryRun: false,
      channel: 'C0OPS',
      requester: 'U0SCHEDULER',
      source: 'slack',
    });
    expect((await schedules[1]!.list()).map((s) => s.id)).toEqual(['every-2s']);
    await until(async () => (await scheduled()).length >= 3);
    const runs = await scheduled();
    const fires = runs.map((r) => r.meta.firedAt);
    expect(new Set(fires).size).toBe(runs.length);
    for (const run of runs) expect(run.requester).toBe('U0SCHEDULER');
    const first = runs.at(-1)!;
    await until(async () => (await engine.get(first.runId)).gates.some((g) => g.state === 'waiting'));
    const head = await audit.head();
    const fired = (await audit.range(1, head.seq)).filter((r) => r.kind === 'schedule.fired');
    expect(new Set(fired.map((r) => r.data.firedAt)).size).toBe(fired.length);
  });

  it('skips fires during a freeze, with a note in the channel', async () => {
    await freeze.freeze(10 * 60_000, 'payments release', 'U0SRE');
    const frozenAt = new Date().toISOString();
    await until(() => notes.length >= 2);
    expect(notes[0]).toMatchObject({ channel: 'C0OPS' });
    expect(notes[0]!.text).toContain('skipped');
    expect(notes[0]!.text).toContain('payments release');
    // A fire that began before the freeze may still start; none fired after it may.
    const late = (await scheduled()).filter((r) => (r.meta.firedAt ?? '') > frozenAt);
    expect(late).toEqual([]);
    const head = await audit.head();
    expect((await audit.range(1, head.seq)).some((r) => r.kind === 'schedule.skipped')).toBe(true);
    await freeze.lift();
  });
});
