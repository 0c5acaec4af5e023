import { ErrorCode, MarshalError } from '../errors/index.js';

/** `marshal init` refused: a flag or answer is wrong, or it would overwrite or trust what it should not. */
export class InitError extends MarshalError {
  override name = 'InitError';

  constructor(message: string, context: Record<string, unknown> = {}) {
    super(ErrorCode.InvalidInput, message, { retryable: false, context });
  }
}
