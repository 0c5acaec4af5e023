import { ErrorCode } from '../../errors/error-code.js';
import { MarshalError } from '../../errors/marshal-error.js';

/**
 * The host could not be reached, or the connection died (refused, timed out, keepalive unanswered,
 * dropped mid-command). Retryable: the host may come back. A command whose connection dropped is
 * reported with this error, never as a success: whether it ran to the end is unknown.
 */
export class HostUnreachable extends MarshalError {
  override name = 'HostUnreachable';

  constructor(
    host: string,
    reason: string,
    options: { cause?: unknown; context?: Record<string, unknown> } = {},
  ) {
    super(ErrorCode.HostUnreachable, `Host ${host} is unreachable: ${reason}`, {
      retryable: true,
      cause: options.cause,
      context: { ...options.context, host, reason },
    });
  }
}
