import { ErrorCode, MarshalError } from '../errors/index.js';

/**
 * A replica the drill relies on is not fit to take over: not connected, not following the primary, or
 * lagging past the scenario's limits. Retryable: a lagging replica can catch up.
 */
export class ReplicationUnhealthyError extends MarshalError {
  override name = 'ReplicationUnhealthyError';

  constructor(link: string, problems: readonly string[], context: Record<string, unknown> = {}) {
    super(ErrorCode.ReplicationUnhealthy, `Replication '${link}' is not healthy: ${problems.join('; ')}`, {
      retryable: true,
      context: { link, problems, ...context },
    });
  }
}
