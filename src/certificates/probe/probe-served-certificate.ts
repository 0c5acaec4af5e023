import { checkServerIdentity, connect, type TLSSocket } from 'node:tls';
import { summarizeCertificate, type CertificateSummary } from '../certificate-summary.js';
import { TlsProbeError, type TlsProbeFailure } from '../errors/tls-probe-error.js';

export interface ProbeEndpoint {
  /** The address to connect to (a host's inventory address). */
  host: string;
  port: number;
  /** The name sent as SNI, which picks the certificate on servers with several. */
  servername: string;
}

export interface ProbeOptions {
  /** Connect plus handshake, in milliseconds. Default 10 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Roots to judge the served chain against (reported, not enforced: the probe reads whatever is served,
   * so a host serving the wrong certificate is described rather than refused).
   */
  trustStore?: readonly string[];
}

/** What a host really serves, read over a real TLS handshake. */
export interface ServedCertificate extends CertificateSummary {
  endpoint: ProbeEndpoint;
  /** Whether the served certificate is valid for the SNI name. */
  hostnameMatches: boolean;
  /** With a trust store: whether the served chain leads to it, and why not. */
  trusted?: boolean;
  trustError?: string;
  /** The negotiated protocol, e.g. TLSv1.3. */
  protocol: string;
}

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Connects to `endpoint` with a real TLS handshake (SNI set) and returns the served leaf's fingerprint,
 * serial, issuer, validity and names. Any failure is a `TlsProbeError` saying whether the port refused,
 * the address was unreachable, time ran out, or the handshake failed; an aborted signal rejects with its
 * reason and closes the socket.
 */
export function probeServedCertificate(
  endpoint: ProbeEndpoint,
  options: ProbeOptions = {},
): Promise<ServedCertificate> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    let settled = false;
    const socket: TLSSocket = connect({
      host: endpoint.host,
      port: endpoint.port,
      servername: endpoint.servername,
      // Read whatever is served: judging it is the caller's business (trusted, hostnameMatches).
      rejectUnauthorized: false,
      ...(options.trustStore ? { ca: [...options.trustStore] } : {}),
    });
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      outcome();
    };
    const fail = (failure: TlsProbeFailure, detail: string, cause?: unknown): void =>
      finish(() => reject(new TlsProbeError(endpoint, failure, detail, cause)));
    const timeoutMs = options.timeoutMs ?? 10_000;
    const timer = setTimeout(() => fail('timeout', `no handshake within ${timeoutMs} ms`), timeoutMs);
    const onAbort = (): void => finish(() => reject(signal?.reason as Error));
    signal?.addEventListener('abort', onAbort, { once: true });

    socket.once('secureConnect', () => {
      try {
        const cert = socket.getPeerX509Certificate();
        if (!cert) return fail('handshake', 'the server sent no certificate');
        const identity = checkServerIdentity(endpoint.servername, cert.toLegacyObject());
        const served: ServedCertificate = {
          ...summarizeCertificate(cert),
          endpoint,
          hostnameMatches: identity === undefined,
          protocol: socket.getProtocol() ?? 'unknown',
        };
        if (options.trustStore) {
          served.trusted = socket.authorized;
          if (!socket.authorized) served.trustError = String(socket.authorizationError);
        }
        finish(() => resolve(served));
      } catch (err) {
        fail('handshake', `the served certificate cannot be read: ${(err as Error).message}`, err);
      }
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      if (code === 'ECONNREFUSED') fail('refused', err.message, err);
      else if (UNREACHABLE.has(code)) fail('unreachable', err.message, err);
      else fail('handshake', err.message, err);
    });
    socket.once('close', () => fail('handshake', 'the connection closed before the handshake completed'));
  });
}
