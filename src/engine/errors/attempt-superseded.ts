import { ErrorCode, MarshalError } from '../../errors/index.js';

/**
 * An attempt at a task or a host step no longer owns its work: BullMQ could not renew its job's lock
 * (the worker was frozen or starved past the lock), another worker took the job over, or the ledger
 * moved on. It is the abort reason of the attempt's signal, and what its fenced writes throw: a
 * superseded attempt restores, rolls back, records and runs nothing more; the attempt that replaced it
 * reconciles the host through the step's `check`.
 */
export class AttemptSuperseded extends MarshalError {
  override name = 'AttemptSuperseded';
  constructor(
    /** What the attempt was doing, for people: `host web-01 (execution.batches)`, `task audit`. */
    readonly work: string,
    readonly why: string,
  ) {
    super(ErrorCode.AttemptSuperseded, `${work}: this attempt was superseded (${why}); it stops here`, {
      retryable: false,
      context: { work, why },
    });
  }
}
