import { ErrorCode } from '../../errors/error-code.js';
import { MarshalError } from '../../errors/marshal-error.js';

/** The host refused Marshal's key (or agent). Not retryable: authorized_keys or the key must change. */
export class SshAuthFailed extends MarshalError {
  override name = 'SshAuthFailed';

  constructor(host: string, user: string, cause?: unknown) {
    super(ErrorCode.SshAuthFailed, `Host ${host} refused public-key login for ${user}`, {
      retryable: false,
      cause,
      context: { host, user },
    });
  }
}
