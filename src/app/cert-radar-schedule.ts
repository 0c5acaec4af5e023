import { Queue } from 'bullmq';
import type { CertificatesConfig } from '../config/certificates-config.js';
import type { RunSchedules, ScheduledRun } from '../control/run-schedules.js';
import { connectRedis } from '../engine/runtime/redis-connection.js';
import { RADAR_REQUESTER } from './create-marshal.js';

/**
 * The schedule's id. The dot keeps it apart from every schedule of the config or `/ops schedule`
 * (their ids are lower-case letters, digits and "-"), so neither can replace or remove the other.
 */
export const RADAR_SCHEDULE_ID = 'certificates.radar';

type Radar = NonNullable<CertificatesConfig['radar']>;

/** The expiry radar as a scheduled run: `cert-radar [--renew]`, posted in the radar's channel. */
export function radarScheduledRun(radar: Radar): ScheduledRun {
  return {
    id: RADAR_SCHEDULE_ID,
    cron: radar.cron,
    timeZone: radar.timezone,
    workflow: 'cert-radar',
    words: radar.autoRenew ? ['--renew'] : [],
    params: { renew: radar.autoRenew },
    dryRun: false,
    channel: radar.channel,
    // Runs it starts (auto-renewals) are requested by the radar, so any approver may approve them.
    requester: RADAR_REQUESTER,
    source: 'config',
  };
}

/**
 * The expiry radar on a schedule, declared from the config at every start like the config's own
 * `schedules:` (src/control/run-schedules.ts: a BullMQ job scheduler kept in Redis, so it survives
 * restarts; each fire is one job one process takes; a change freeze skips fires; `/ops schedules` lists
 * it). A config without `certificates.radar` removes it.
 */
export async function declareRadarSchedule(
  schedules: Pick<RunSchedules, 'upsert' | 'remove'>,
  radar: CertificatesConfig['radar'] | undefined,
): Promise<void> {
  if (radar) await schedules.upsert(radarScheduledRun(radar));
  else await schedules.remove(RADAR_SCHEDULE_ID);
}

/**
 * Earlier versions ran the radar on a job scheduler of its own (queue `cert-radar`): removed, so its
 * ticks no longer pile up in a queue nobody takes.
 */
export async function removeLegacyRadarScheduler(redisUrl: string, prefix: string): Promise<void> {
  const connection = connectRedis(redisUrl, 'marshal-cert-radar-legacy');
  const queue = new Queue('cert-radar', { connection, prefix: `${prefix}:bull` });
  try {
    await queue.removeJobScheduler('cert-radar');
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
