import { ErrorCode, MarshalError } from '../../errors/index.js';

/** A run id Redis does not know. */
export class UnknownRun extends MarshalError {
  override name = 'UnknownRun';
  constructor(runId: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.UnknownRun, `no run ${runId} (it never existed or has expired)`, {
      retryable: false,
      context: { runId },
      cause: options.cause,
    });
  }
}
