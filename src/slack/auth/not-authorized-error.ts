import { ErrorCode, MarshalError } from '../../errors/index.js';

/** A Slack user asked for something the config file does not allow them. Retrying cannot help. */
export class NotAuthorizedError extends MarshalError {
  override name = 'NotAuthorizedError';

  constructor(message: string, context: { user: string; workflow: string; action: string }) {
    super(ErrorCode.NotAuthorized, message, { retryable: false, context });
  }
}
