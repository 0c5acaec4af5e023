import { ErrorCode, MarshalError } from '../../errors/index.js';

/** A control that does not fit the run's state (e.g. resuming a finished run). */
export class RunStateConflict extends MarshalError {
  override name = 'RunStateConflict';
  constructor(runId: string, message: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.RunStateConflict, message, {
      retryable: false,
      context: { runId },
      cause: options.cause,
    });
  }
}
