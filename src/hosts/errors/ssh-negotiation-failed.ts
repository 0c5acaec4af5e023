import { ErrorCode } from '../../errors/error-code.js';
import { MarshalError } from '../../errors/marshal-error.js';

/**
 * The server offers no algorithm Marshal accepts (e.g. only SHA-1 key exchange, CBC or hmac-sha1).
 * Not retryable: the server's configuration must change.
 */
export class SshNegotiationFailed extends MarshalError {
  override name = 'SshNegotiationFailed';

  constructor(host: string, detail: string, cause?: unknown) {
    super(
      ErrorCode.SshNegotiationFailed,
      `Host ${host} offers no SSH algorithm Marshal accepts (${detail}); enable modern algorithms in its sshd_config`,
      { retryable: false, cause, context: { host, detail } },
    );
  }
}
