import { ErrorCode, MarshalError } from '../../errors/index.js';

/** The BullMQ reasons that mean the worker running the job vanished (crashed, or was starved of CPU). */
const STALL_REASONS = ['job stalled more than allowable limit'];

/**
 * BullMQ gave up on an engine job: its worker was lost too often (a step that crashes its process),
 * or it failed on every attempt. The work the job stood for is ended as failed with this error, so the
 * run goes on to rollback and cleanup instead of waiting forever.
 */
export class JobAbandoned extends MarshalError {
  override name = 'JobAbandoned';
  constructor(
    /** What the job was running, for people: `host web-01 (execution.batches)`, `task audit`. */
    readonly work: string,
    readonly jobId: string,
    readonly failedReason: string,
    readonly attemptsMade: number,
    readonly stalls: number,
  ) {
    super(
      ErrorCode.JobAbandoned,
      STALL_REASONS.includes(failedReason)
        ? `worker lost ${stalls} times while running ${work}; gave up on it`
        : `gave up on ${work} after ${attemptsMade} failed attempts: ${failedReason || 'no reason recorded'}`,
      { retryable: true, context: { jobId, failedReason, attemptsMade, stalls } },
    );
  }
}
