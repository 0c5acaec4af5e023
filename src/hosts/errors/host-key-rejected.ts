import { ErrorCode } from '../../errors/error-code.js';
import { MarshalError } from '../../errors/marshal-error.js';

/**
 * The host presented a key known_hosts does not trust (unknown, changed or revoked). Never retried:
 * an operator must check the host and update known_hosts. Raised before any command runs.
 */
export class HostKeyRejected extends MarshalError {
  override name = 'HostKeyRejected';

  constructor(
    host: string,
    verdict: 'unknown' | 'changed' | 'revoked',
    fingerprint: string,
    context: Record<string, unknown> = {},
  ) {
    const why = {
      unknown: 'is not in known_hosts (trust-on-first-use is off)',
      changed:
        'differs from the key known_hosts holds for it: the host was reinstalled or someone is in the middle',
      revoked: 'is marked @revoked in known_hosts',
    }[verdict];
    super(ErrorCode.HostKeyRejected, `Refused host ${host}: its key ${fingerprint} ${why}`, {
      retryable: false,
      context: { ...context, host, verdict, fingerprint },
    });
  }
}
