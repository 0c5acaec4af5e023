import { ErrorCode } from '../../errors/error-code.js';
import { MarshalError } from '../../errors/marshal-error.js';

/** HAProxy's runtime API refused a command, did not answer, or has no such backend or server. */
export class LoadBalancerFailed extends MarshalError {
  override name = 'LoadBalancerFailed';

  constructor(
    endpoint: string,
    message: string,
    options: { cause?: unknown; retryable?: boolean; context?: Record<string, unknown> } = {},
  ) {
    super(ErrorCode.LoadBalancerFailed, `load balancer ${endpoint}: ${message}`, {
      retryable: options.retryable ?? false,
      cause: options.cause,
      context: { ...options.context, endpoint },
    });
  }
}
