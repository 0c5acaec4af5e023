import { ErrorCode, MarshalError } from '../../errors/index.js';

/** An operator aborted the run; the task stopped without finishing its work. */
export class RunAborted extends MarshalError {
  override name = 'RunAborted';
  constructor(runId: string, by: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.RunAborted, `run ${runId} was aborted by ${by}`, {
      retryable: false,
      context: { runId, by },
      cause: options.cause,
    });
  }
}
