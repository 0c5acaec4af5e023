import { ErrorCode, MarshalError } from '../../errors/index.js';

/** Redis set up so that it could lose run state: the engine refuses to start on it. */
export class RedisMisconfigured extends MarshalError {
  override name = 'RedisMisconfigured';
  constructor(message: string, context: Record<string, unknown>, options: { cause?: unknown } = {}) {
    super(ErrorCode.RedisMisconfigured, message, {
      retryable: false,
      context: context,
      cause: options.cause,
    });
  }
}
