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

/**
 * Fires that do not start: a passing error (the engine's Redis gone for a moment) is tried again by
 * BullMQ and the fire then starts its run once; a refusal (parameters the workflow refuses) is not tried
 * again, and the channel is told. Both are audited.
 */
describe('scheduled fires that fail to start', { timeout: 120_000 }, () => {
  const prefix = uniquePrefix('sched-fail');
  const redis = new Redis(testRedisUrl());
  let engine: EngineRuntime;
  let schedules: RunSchedules;
  let worker: { close(): Promise<void> };
  const notes: { channel: string; text: string }[] = [];
  let audit: RedisAuditLog;
  let failures = 1;

  beforeAll(async () => {
    engine = await createEngine({
      redis: testRedisUrl(),
      prefix,
      registry: createRegistry([deployGated]),
      logger: silentLogger(),
    });
    engine.startWorkers({ concurrency: 4 });
    audit = new RedisAuditLog(redis, prefix, silentLogger());
    schedules = new RunSchedules(testRedisUrl(), prefix, { attempts: 3, backoffMs: 300 });
    worker = schedules.startWorker(
      scheduledFire({
        // The real engine, whose first start fails as it would with its Redis connection lost.
        engine: {
          start: (request) =>
            failures-- > 0 ? Promise.reject(new Error('Connection is closed.')) : engine.start(request),
        },
        freeze: new ChangeFreeze(redis, prefix, []),
        audit,
        redis,
        prefix,
        say: (channel, text) => Promise.resolve(void notes.push({ channel, text })),
        logger: silentLogger(),
      }),
    );
  });
  afterAll(async () => {
    await schedules.remove('flaky');
    await schedules.remove('refused');
    await worker.close();
    await schedules.close();
    await engine.close();
    redis.disconnect();
  });

  const records = async () => audit.range(1, (await audit.head()).seq);

  it('a passing error is tried again, and the fire starts its run once, with no note', async () => {
    await schedules.upsert({
      id: 'flaky',
      cron: '*/2 * * * * *',
      timeZone: 'UTC',
      workflow: 'deploy-gated',
      words: ['a'],
      params: { dir: await mkdtemp(join(tmpdir(), 'marshal-sched-')), targets: ['a'] },
      dryRun: false,
      channel: 'C0OPS',
      requester: 'U0SCHEDULER',
      source: 'slack',
    });
    await until(async () => (await records()).some((r) => r.kind === 'schedule.retrying'));
    const retrying = (await records()).find((r) => r.kind === 'schedule.retrying')!;
    expect(retrying.data).toMatchObject({ id: 'flaky', attempt: 1, error: 'Connection is closed.' });
    const firedAt = retrying.data.firedAt as string;
    const runsOf = async () =>
      (await engine.list({ limit: 100 })).filter(
        (r) => r.meta.schedule === 'flaky' && r.meta.firedAt === firedAt,
      );
    await until(async () => (await runsOf()).length > 0);
    await schedules.remove('flaky');
    expect(await runsOf()).toHaveLength(1);
    const fired = (await records()).filter((r) => r.kind === 'schedule.fired' && r.data.firedAt === firedAt);
    expect(fired).toHaveLength(1);
    expect(notes.filter((n) => n.text.includes('`flaky`'))).toEqual([]);
  });

  it('a refusal is not tried again: one audited failure and a note in the channel', async () => {
    await schedules.upsert({
      id: 'refused',
      cron: '*/2 * * * * *',
      timeZone: 'UTC',
      workflow: 'deploy-gated',
      words: [],
      params: { targets: 'not a list' },
      dryRun: false,
      channel: 'C0OPS',
      requester: 'U0SCHEDULER',
      source: 'slack',
    });
    await until(() => notes.some((n) => n.text.includes('`refused`')));
    await schedules.remove('refused');
    const note = notes.find((n) => n.text.includes('`refused`'))!;
    expect(note.channel).toBe('C0OPS');
    expect(note.text).toContain('did not start');
    expect(note.text).toContain('parameters of workflow deploy-gated');
    const firedAt = (await records()).find((r) => r.kind === 'schedule.failed')!.data.firedAt;
    // Well past the backoff: no second try of that fire.
    await new Promise((r) => setTimeout(r, 1500));
    const ofFire = (await records()).filter((r) => r.data.id === 'refused' && r.data.firedAt === firedAt);
    expect(ofFire.map((r) => [r.kind, r.data.attempt])).toEqual([['schedule.failed', 1]]);
  });
});
