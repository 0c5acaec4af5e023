import { ErrorCode, MarshalError } from '../../errors/index.js';

/**
 * The HAProxy runtime API refused a command, could not be reached, or its live state lacks a backend or
 * server a scenario names. `retryable` only when the socket could not be reached: a refused command or a
 * missing name fails the same way again.
 */
export class LoadBalancerError extends MarshalError {
  override name = 'LoadBalancerError';

  constructor(
    message: string,
    options: { socket: string; command?: string; retryable?: boolean; cause?: unknown; details?: unknown },
  ) {
    super(ErrorCode.LoadBalancerFailed, message, {
      retryable: options.retryable ?? false,
      cause: options.cause,
      context: {
        socket: options.socket,
        ...(options.command === undefined ? {} : { command: options.command }),
        ...(options.details === undefined ? {} : { details: options.details }),
      },
    });
  }
}
