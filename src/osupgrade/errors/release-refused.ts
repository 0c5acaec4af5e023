import { ErrorCode } from '../../errors/error-code.js';
import { MarshalError } from '../../errors/marshal-error.js';

/** A release that may not be installed: unknown, not certified, revoked, or older than what hosts run. */
export class ReleaseRefused extends MarshalError {
  override name = 'ReleaseRefused';

  constructor(release: string, problem: string, context: Record<string, unknown> = {}) {
    super(ErrorCode.ReleaseRefused, `release ${release}: ${problem}`, {
      retryable: false,
      context: { release, ...context },
    });
  }
}
