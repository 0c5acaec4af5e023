import { z } from 'zod';
import type { JobsOptions } from 'bullmq';

/**
 * The jobs on the queue. Every job is small and idempotent: it reads and compare-and-sets state in
 * Redis before acting, so a redelivered (stalled) job or a duplicate does no harm. Job ids are
 * deterministic (BullMQ ignores a second add of a waiting job with the same id).
 */
export const JobData = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('task'), runId: z.string(), taskId: z.string() }),
  z.object({
    kind: z.literal('target'),
    runId: z.string(),
    taskId: z.string(),
    target: z.string(),
    batch: z.number().int(),
  }),
  z.object({ kind: z.literal('batch'), runId: z.string(), taskId: z.string(), batch: z.number().int() }),
  z.object({ kind: z.literal('gate_timeout'), runId: z.string(), taskId: z.string() }),
]);
export type JobData = z.infer<typeof JobData>;

/**
 * Two lanes, each a BullMQ queue with Workers of its own in every worker process: host steps (`target`)
 * on one, control work on the other. Control work (a task's transition, a batch hand-out after an approval
 * or a soak, a gate's timeout, a rollback's or abort's task) then never waits for a slot behind host
 * steps, however many sleeping steps fill the host lane; and it is short, so its own few slots suffice.
 */
export type Lane = 'hosts' | 'control';
export function laneOf(data: JobData): Lane {
  return data.kind === 'target' ? 'hosts' : 'control';
}

export interface JobSpec {
  data: JobData;
  id: string;
  delayMs?: number;
  /**
   * BullMQ priority (1 = first) of a host step: the number of hosts its stage held when it was handed
   * out, so on the shared host lane a run holding few slots (an approval's first host) goes before the
   * next host of a run that holds many. Without one (control work, the reconciler's repairs) a job goes
   * before every prioritized one.
   */
  priority?: number;
}

/** BullMQ's largest priority. */
export const MAX_PRIORITY = 2_097_152;

/** BullMQ ids may not contain `:`; `|` cannot occur in run ids and task ids use `.`. */
export function jobId(...parts: (string | number)[]): string {
  return parts.join('|');
}

export function jobOptions(spec: JobSpec): JobsOptions {
  return {
    jobId: spec.id,
    delay: spec.delayMs && spec.delayMs > 0 ? spec.delayMs : undefined,
    priority: spec.priority ? Math.min(MAX_PRIORITY, Math.max(1, Math.round(spec.priority))) : undefined,
    // Our own retries live in the run state; BullMQ's attempts only cover a lost Redis connection.
    attempts: 5,
    backoff: { type: 'exponential', delay: 200 },
    removeOnComplete: true,
    removeOnFail: 1000,
  };
}
