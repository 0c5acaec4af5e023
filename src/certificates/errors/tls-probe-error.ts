import { ErrorCode, MarshalError } from '../../errors/index.js';

/** Why a served certificate could not be read. */
export type TlsProbeFailure = 'refused' | 'unreachable' | 'timeout' | 'handshake';

const ADVICE: Record<TlsProbeFailure, string> = {
  refused: 'nothing listens on that port (is the service running?)',
  unreachable: 'the address cannot be reached',
  timeout: 'no TLS handshake completed in time',
  handshake:
    'the TLS handshake failed (is it TLS on that port? does the server have a certificate for that name?)',
};

/** A TLS handshake with a served endpoint did not give its certificate. */
export class TlsProbeError extends MarshalError {
  override name = 'TlsProbeError';
  readonly failure: TlsProbeFailure;

  constructor(
    endpoint: { host: string; port: number; servername: string },
    failure: TlsProbeFailure,
    detail: string,
    cause?: unknown,
  ) {
    super(
      ErrorCode.TlsProbeFailed,
      `TLS check of ${endpoint.host}:${endpoint.port} (SNI ${endpoint.servername}) failed: ${ADVICE[failure]}: ${detail}`,
      {
        // A service being reloaded refuses or stalls for a moment; a handshake failure is its configuration.
        retryable: failure !== 'handshake',
        cause,
        context: { ...endpoint, failure, detail },
      },
    );
    this.failure = failure;
  }
}
