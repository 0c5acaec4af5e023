import { ErrorCode, MarshalError } from '../../errors/index.js';

/** Sealed data that cannot be opened: not sealed by Marshal, altered, sealed for another purpose, or under another key. */
export class SealedDataError extends MarshalError {
  override name = 'SealedDataError';

  constructor(purpose: string, problem: string) {
    super(ErrorCode.SecretSealFailed, `Sealed secret for "${purpose}" cannot be opened: ${problem}`, {
      retryable: false,
      context: { purpose },
    });
  }
}
