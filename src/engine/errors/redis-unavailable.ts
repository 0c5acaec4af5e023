import { ErrorCode, MarshalError } from '../../errors/index.js';

/**
 * Redis does not answer. `where` is REDIS_URL with its password redacted; `reason` is the connection
 * error in a few words. The message is one line, for a terminal or a log.
 */
export class RedisUnavailable extends MarshalError {
  override name = 'RedisUnavailable';
  constructor(where: string, reason: string, options: { cause?: unknown } = {}) {
    super(
      ErrorCode.RedisUnavailable,
      `cannot reach Redis at REDIS_URL=${where}: ${reason}. Start Redis or point REDIS_URL at a running one.`,
      { retryable: true, context: { redis: where, reason }, cause: options.cause },
    );
  }
}
