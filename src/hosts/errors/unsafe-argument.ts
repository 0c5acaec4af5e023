import { ErrorCode } from '../../errors/error-code.js';
import { MarshalError } from '../../errors/marshal-error.js';

/** A value that cannot safely become a shell word. Never retryable: the same value fails the same way. */
export class UnsafeArgument extends MarshalError {
  override name = 'UnsafeArgument';

  constructor(argument: string, reason: string, context: Record<string, unknown> = {}) {
    super(ErrorCode.UnsafeArgument, `Refused shell argument ${argument}: ${reason}`, {
      retryable: false,
      context: { ...context, argument, reason },
    });
  }
}
