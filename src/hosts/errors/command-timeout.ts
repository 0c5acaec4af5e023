import { ErrorCode } from '../../errors/error-code.js';
import { MarshalError } from '../../errors/marshal-error.js';

/** A command ran past its time limit; Marshal sent it KILL and closed its channel. */
export class CommandTimeout extends MarshalError {
  override name = 'CommandTimeout';

  constructor(host: string, timeoutMs: number, context: Record<string, unknown> = {}) {
    super(
      ErrorCode.CommandTimeout,
      `Command on ${host} did not finish within ${timeoutMs} ms and was killed`,
      {
        retryable: true,
        context: { ...context, host, timeoutMs },
      },
    );
  }
}
