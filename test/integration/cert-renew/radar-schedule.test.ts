import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { startRadarSchedule, type RadarSchedule } from '../../../src/app/cert-radar-schedule.js';
import { connectRedis } from '../../../src/engine/runtime/redis-connection.js';
import type { RunRequest } from '../../../src/engine/model/run.js';
import { silentLogger } from '../../../src/log/index.js';
import { testRedisUrl } from '../../support/redis.js';
import { waitUntil } from '../../support/config-push-fixture.js';

/**
 * The radar's schedule on real Redis and BullMQ: several processes' schedules share one job scheduler;
 * each cron tick starts exactly one radar run (with the schedule's settings) whichever process takes
 * it; the schedule stays in Redis when every process stops, and a config without a radar removes it.
 */
describe('certificate radar schedule', () => {
  const prefix = `radar-test-${process.pid}-${Date.now()}`;
  const radar = { cron: '* * * * * *', timezone: 'UTC', channel: 'C0RADAR', autoRenew: true };
  const schedules: RadarSchedule[] = [];
  afterAll(async () => {
    await Promise.all(schedules.map((s) => s.close()));
  });

  it('runs once per tick across processes, survives their restart, and is removed when the config drops it', async () => {
    const started: { process: number; request: RunRequest }[] = [];
    for (const n of [1, 2, 3])
      schedules.push(
        await startRadarSchedule({
          redisUrl: testRedisUrl(),
          prefix,
          radar,
          logger: silentLogger(),
          start: (request) => {
            started.push({ process: n, request });
            return Promise.resolve(`run-${started.length}`);
          },
        }),
      );
    await waitUntil('three scheduled radar runs', () => (started.length >= 3 ? true : undefined), 30_000);
    await Promise.all(schedules.splice(0).map((s) => s.close()));
    expect(started[0]!.request).toMatchObject({
      workflow: 'cert-radar',
      params: { renew: true },
      meta: { channel: 'C0RADAR' },
    });

    const connection = connectRedis(testRedisUrl(), 'radar-test');
    const queue = new Queue('cert-radar', { connection, prefix: `${prefix}:bull` });
    try {
      // One job per tick, each taken once: as many runs as completed jobs, no tick twice.
      const completed = await queue.getJobs(['completed']);
      const ticks = completed.map((j) => j.timestamp);
      expect(new Set(ticks).size).toBe(ticks.length);
      expect(started.length).toBe(completed.length);
      // Every process stopped: the schedule is still in Redis for the next one to start.
      expect((await queue.getJobSchedulers()).map((s) => s.key)).toEqual(['cert-radar']);
      await (
        await startRadarSchedule({
          redisUrl: testRedisUrl(),
          prefix,
          radar: undefined,
          logger: silentLogger(),
          start: () => Promise.reject(new Error('no radar is configured')),
        })
      ).close();
      expect(await queue.getJobSchedulers()).toEqual([]);
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});
