import { ErrorCode, MarshalError } from '../../errors/index.js';

/** A task (or host step) ran past its timeout; its signal was aborted. */
export class TaskTimeout extends MarshalError {
  override name = 'TaskTimeout';
  constructor(
    readonly taskId: string,
    readonly timeoutMs: number,
    options: { cause?: unknown } = {},
  ) {
    super(ErrorCode.TaskTimeout, `task ${taskId} did not finish within ${timeoutMs} ms`, {
      retryable: true,
      context: { taskId, timeoutMs },
      cause: options.cause,
    });
  }
}
