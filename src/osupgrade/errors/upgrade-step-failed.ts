import type { ErrorCode } from '../../errors/error-code.js';
import { MarshalError } from '../../errors/marshal-error.js';

/** One host's upgrade step went wrong: which host, which phase, what it said. */
export class UpgradeStepFailed extends MarshalError {
  override name = 'UpgradeStepFailed';

  constructor(
    code: ErrorCode,
    readonly host: string,
    readonly phase: string,
    message: string,
    context: Record<string, unknown> = {},
  ) {
    super(code, `${host}: ${phase}: ${message}`, { retryable: false, context: { host, phase, ...context } });
  }
}
