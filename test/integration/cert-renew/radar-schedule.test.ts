import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisAuditLog } from '../../../src/audit/index.js';
import {
  declareRadarSchedule,
  RADAR_SCHEDULE_ID,
  removeLegacyRadarScheduler,
} from '../../../src/app/cert-radar-schedule.js';
import { RADAR_REQUESTER } from '../../../src/app/create-marshal.js';
import { scheduledFire } from '../../../src/app/scheduled-fire.js';
import { ChangeFreeze } from '../../../src/control/change-freeze.js';
import { RunSchedules } from '../../../src/control/run-schedules.js';
import type { RunRequest } from '../../../src/engine/model/run.js';
import { silentLogger } from '../../../src/log/index.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { waitUntil } from '../../support/config-push-fixture.js';

/**
 * The radar's schedule on real Redis and BullMQ, through the run schedules every scheduled run uses
 * (src/control/run-schedules.ts), as `marshal serve` declares it from the config: two processes (two
 * connections each) declare the same schedule; each fire starts exactly one radar run with the schedule's
 * settings whichever process takes it; a change freeze skips fires, saying so in the radar's channel; the
 * schedule stays in Redis when every process stops, and a config without a radar removes it.
 */
describe('certificate radar schedule', () => {
  const prefix = uniquePrefix('radar');
  const radar = { cron: '* * * * * *', timezone: 'UTC', channel: 'C0RADAR', autoRenew: true };
  const redis = new Redis(testRedisUrl());
  const audit = new RedisAuditLog(redis, prefix, silentLogger());
  const freeze = new ChangeFreeze(redis, prefix, []);
  const open: RunSchedules[] = [];
  afterAll(async () => {
    for (const s of open) await s.close();
    redis.disconnect();
  });

  it('fires once per tick across processes, is skipped in a freeze, survives their restart, and goes when the config drops it', async () => {
    const started: RunRequest[] = [];
    const notes: { channel: string; text: string }[] = [];
    const processes = [1, 2].map(() => new RunSchedules(testRedisUrl(), prefix));
    open.push(...processes);
    for (const s of processes) await declareRadarSchedule(s, radar);
    const workers = processes.map((s) =>
      s.startWorker(
        scheduledFire({
          engine: {
            start: (request) => Promise.resolve(`run-${started.push(request)}`),
          },
          freeze,
          audit,
          redis,
          prefix,
          say: (channel, text) => Promise.resolve(void notes.push({ channel, text })),
          logger: silentLogger(),
        }),
      ),
    );
    // Listed like every schedule (what `/ops schedules` shows), once however many processes declared it.
    expect(await processes[1]!.list()).toEqual([
      expect.objectContaining({
        id: RADAR_SCHEDULE_ID,
        cron: '* * * * * *',
        workflow: 'cert-radar',
        words: ['--renew'],
        params: { renew: true },
        channel: 'C0RADAR',
        requester: RADAR_REQUESTER,
        source: 'config',
      }),
    ]);

    await waitUntil('three scheduled radar runs', () => (started.length >= 3 ? true : undefined), 30_000);
    await freeze.freeze(10 * 60_000, 'certificate audit', 'U0SRE');
    await waitUntil('a fire skipped in the freeze', () => (notes.length >= 1 ? true : undefined), 30_000);
    // Closing waits for the fires being handled: what was started is all there will be.
    for (const w of workers) await w.close();
    await freeze.lift();

    for (const request of started)
      expect(request).toMatchObject({
        workflow: 'cert-radar',
        params: { renew: true },
        requester: RADAR_REQUESTER,
        meta: { channel: 'C0RADAR', schedule: RADAR_SCHEDULE_ID },
      });
    // One run per fire: no fire time started twice (each is claimed once, whichever process takes it).
    const fires = started.map((r) => r.meta?.firedAt);
    expect(new Set(fires).size).toBe(started.length);
    const fired = (await audit.range(1, (await audit.head()).seq)).filter((e) => e.kind === 'schedule.fired');
    expect(fired.map((e) => e.data.firedAt).sort()).toEqual([...fires].sort());
    expect(notes[0]).toMatchObject({ channel: 'C0RADAR' });
    expect(notes[0]!.text).toMatch(/certificates\.radar.*skipped.*certificate audit/);

    // Every process stopped: the schedule is still in Redis for the next one to start.
    for (const s of processes.splice(0)) await s.close();
    const next = new RunSchedules(testRedisUrl(), prefix);
    open.push(next);
    expect((await next.list()).map((s) => s.id)).toEqual([RADAR_SCHEDULE_ID]);
    // A config without a radar removes it (and the old, radar-only scheduler is gone too).
    await declareRadarSchedule(next, undefined);
    await removeLegacyRadarScheduler(testRedisUrl(), prefix);
    expect(await next.list()).toEqual([]);
  });
});
