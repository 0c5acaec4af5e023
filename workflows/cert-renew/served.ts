import { ErrorCode, MarshalError, type Host } from '../../src/authoring/index.js';
import type { CertificateServices } from '../../src/certificates/certificate-services.js';
import type { ServedCertificate } from '../../src/certificates/probe/probe-served-certificate.js';
import type { RenewalPlan } from './renewal-plan.js';

/** What the host serves on the certificate's port for its SNI name: a real TLS handshake from Marshal. */
export function probeHost(
  certs: CertificateServices,
  host: Host,
  plan: Pick<RenewalPlan, 'port' | 'sni'>,
  signal: AbortSignal,
): Promise<ServedCertificate> {
  return certs.probe(
    { host: host.address, port: plan.port, servername: plan.sni },
    { timeoutMs: 10_000, signal, trustStore: certs.trustStore },
  );
}

/**
 * Asks until the host serves `fingerprint` (a reload hands over to new workers; old ones may answer a
 * moment longer), or fails saying what it serves instead.
 */
export async function waitUntilServed(
  certs: CertificateServices,
  host: Host,
  plan: Pick<RenewalPlan, 'port' | 'sni'>,
  fingerprint: string,
  signal: AbortSignal,
  timeoutMs = 30_000,
): Promise<ServedCertificate> {
  const deadline = Date.now() + timeoutMs;
  let last = 'nothing yet';
  for (;;) {
    signal.throwIfAborted();
    try {
      const served = await probeHost(certs, host, plan, signal);
      if (served.fingerprintSha256 === fingerprint) return served;
      last = `certificate ${short(served.fingerprintSha256)} (serial ${served.serial}, notAfter ${served.notAfter})`;
    } catch (err) {
      if (signal.aborted) throw err;
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline)
      throw new MarshalError(
        ErrorCode.HealthCheckFailed,
        `${host.name} does not serve certificate ${short(fingerprint)} on ${host.address}:${plan.port} (SNI ${plan.sni}) after ${timeoutMs / 1000} s; it serves ${last}`,
        { retryable: false, context: { host: host.name, expected: fingerprint } },
      );
    // A handshake on loopback or a LAN costs a few ms: asking often keeps a host's step short.
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The first 8 pairs of a `AA:BB:…` fingerprint: enough to tell two certificates apart in a message. */
export const short = (fingerprint: string): string => fingerprint.split(':').slice(0, 8).join(':');
