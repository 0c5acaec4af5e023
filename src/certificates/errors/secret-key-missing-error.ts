import { ErrorCode, MarshalError } from '../../errors/index.js';

export const SECRET_KEY_ENV = 'MARSHAL_SECRET_KEY';

/** No usable MARSHAL_SECRET_KEY: private keys cannot be sealed, so nothing that needs one may start. */
export class SecretKeyMissingError extends MarshalError {
  override name = 'SecretKeyMissingError';

  constructor(problem: string) {
    super(
      ErrorCode.SecretSealFailed,
      `${SECRET_KEY_ENV} ${problem}: set it to 32 random bytes, base64 or hex (e.g. \`openssl rand -base64 32\`), the same on every Marshal process`,
      { retryable: false, context: { variable: SECRET_KEY_ENV } },
    );
  }
}
