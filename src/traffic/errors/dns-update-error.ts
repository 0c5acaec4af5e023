import { ErrorCode, MarshalError } from '../../errors/index.js';

/**
 * A DNS dynamic update (RFC 2136) that did not happen as asked: the server's response code (NXRRSET when a
 * prerequisite does not hold, BADSIG/BADKEY for a wrong TSIG key, REFUSED/NOTAUTH when the key may not
 * update the zone), or the client could not reach the server. Never carries the TSIG secret.
 * Only an unreachable server is worth retrying.
 */
export class DnsUpdateError extends MarshalError {
  override name = 'DnsUpdateError';
  readonly rcode: string | undefined;

  constructor(
    message: string,
    options: { zone: string; server: string; rcode?: string; retryable?: boolean; cause?: unknown },
  ) {
    super(ErrorCode.DnsUpdateFailed, message, {
      retryable: options.retryable ?? false,
      cause: options.cause,
      context: {
        zone: options.zone,
        server: options.server,
        ...(options.rcode ? { rcode: options.rcode } : {}),
      },
    });
    this.rcode = options.rcode;
  }
}
