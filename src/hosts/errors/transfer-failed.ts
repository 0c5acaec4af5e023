import { ErrorCode } from '../../errors/error-code.js';
import { MarshalError } from '../../errors/marshal-error.js';

/** An SFTP upload or download failed; an upload left the target as it was (atomic replace). */
export class TransferFailed extends MarshalError {
  override name = 'TransferFailed';

  constructor(
    host: string,
    path: string,
    reason: string,
    options: { cause?: unknown; retryable?: boolean; context?: Record<string, unknown> } = {},
  ) {
    super(ErrorCode.TransferFailed, `Transfer of ${path} on ${host} failed: ${reason}`, {
      retryable: options.retryable ?? false,
      cause: options.cause,
      context: { ...options.context, host, path, reason },
    });
  }
}
