import type { Runtime } from './runtime.js';

/** What BullMQ holds for one job id: nothing (done and removed, or lost), a live job, or a job it gave up on. */
export type JobStatus =
  | { state: 'missing' }
  | { state: 'live' }
  | { state: 'failed'; failedReason: string; attemptsMade: number; stalls: number };

/**
 * Looks up jobs by id in one round trip. Completed jobs are removed (`removeOnComplete`), so a job that
 * exists is waiting, delayed, active, or failed for good (kept in the failed set).
 */
export async function jobStatuses(rt: Runtime, ids: string[]): Promise<Map<string, JobStatus>> {
  const out = new Map<string, JobStatus>();
  if (ids.length === 0) return out;
  // A job is on one of the two lanes (jobs.ts); looking in both costs no extra round trip.
  const queues = [rt.queue, rt.controlQueue];
  const pipeline = rt.redis.pipeline();
  for (const id of ids) {
    for (const q of queues) {
      pipeline.hmget(q.toKey(id), 'name', 'failedReason', 'atm', 'stc');
      pipeline.zscore(q.keys.failed ?? q.toKey('failed'), id);
    }
  }
  const replies = (await pipeline.exec()) ?? [];
  ids.forEach((id, i) => {
    const base = 4 * i;
    const hit = (replies[base]?.[1] as (string | null)[] | undefined)?.[0] ? base : base + 2;
    const [hErr, h] = replies[hit] ?? [];
    const [zErr, score] = replies[hit + 1] ?? [];
    if (hErr) throw hErr;
    if (zErr) throw zErr;
    const [name, failedReason, atm, stc] = (h as (string | null)[] | undefined) ?? [];
    if (!name) out.set(id, { state: 'missing' });
    else if (score === null || score === undefined) out.set(id, { state: 'live' });
    else
      out.set(id, {
        state: 'failed',
        failedReason: failedReason ?? '',
        attemptsMade: Number(atm ?? 0),
        stalls: Number(stc ?? 0),
      });
  });
  return out;
}
