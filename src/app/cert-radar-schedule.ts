import { Queue, Worker } from 'bullmq';
import type { CertificatesConfig } from '../config/certificates-config.js';
import type { RunRequest } from '../engine/model/run.js';
import { connectRedis } from '../engine/runtime/redis-connection.js';
import type { Logger } from '../log/index.js';
import { RADAR_REQUESTER } from './create-marshal.js';

const QUEUE = 'cert-radar';
const SCHEDULER_ID = 'cert-radar';

export interface RadarSchedule {
  close(): Promise<void>;
}

/**
 * The expiry radar on a schedule: a BullMQ job scheduler (kept in Redis, so it survives restarts, and
 * upserted by every process so a changed cron takes effect) produces one job per cron tick; whichever
 * worker takes it starts one `cert-radar` run, so a tick is scanned once however many workers there are.
 * A config without `certificates.radar` removes the schedule.
 */
export async function startRadarSchedule(options: {
  redisUrl: string;
  prefix: string;
  radar: CertificatesConfig['radar'];
  start: (request: RunRequest) => Promise<string>;
  logger: Logger;
}): Promise<RadarSchedule> {
  const { radar, logger } = options;
  const connection = connectRedis(options.redisUrl, 'marshal-cert-radar');
  const prefix = `${options.prefix}:bull`;
  const queue = new Queue(QUEUE, { connection, prefix });
  if (!radar) {
    await queue.removeJobScheduler(SCHEDULER_ID);
    await queue.close();
    connection.disconnect();
    return { close: () => Promise.resolve() };
  }
  await queue.upsertJobScheduler(
    SCHEDULER_ID,
    { pattern: radar.cron, tz: radar.timezone },
    { name: 'scan', data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
  const worker = new Worker(
    QUEUE,
    async (job) => {
      const runId = await options.start({
        workflow: 'cert-radar',
        params: { renew: radar.autoRenew },
        requester: RADAR_REQUESTER,
        meta: { channel: radar.channel, command: `radar (scheduled: ${radar.cron})` },
      });
      logger.info({ runId, job: job.id }, 'scheduled certificate radar started');
      return runId;
    },
    { connection: connectRedis(options.redisUrl, 'marshal-cert-radar-worker'), prefix, concurrency: 1 },
  );
  worker.on('error', (err) => logger.warn({ err: err.message }, 'certificate radar schedule'));
  return {
    async close() {
      await worker.close();
      await queue.close();
      connection.disconnect();
    },
  };
}
