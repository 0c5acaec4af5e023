import { settleInParallel, type MarshalDeps } from '../../src/authoring/index.js';
import type { CertificateServices } from '../../src/certificates/certificate-services.js';
import type { ExpiryState } from '../../src/certificates/radar/expiry.js';
import {
  servedStatus,
  type HostProbe,
  type ServedStatus,
} from '../../src/certificates/radar/served-status.js';
import { short } from './served.js';

/** One declared certificate as its hosts serve it now, judged against its renew-before window. */
export interface CertificateScan {
  certificate: string;
  renewBeforeDays: number;
  status: ServedStatus;
  /** The soonest-expiring served certificate's state, or `unreadable` when no host could be read. */
  state: ExpiryState | 'unreadable';
  daysLeft: number | null;
}

/**
 * Connects to every host of one certificate (a real TLS handshake with its SNI name), groups the hosts
 * by the fingerprint they serve, and judges the soonest notAfter against renew-before.
 */
export async function scanCertificate(
  deps: Pick<MarshalDeps, 'inventory' | 'clock'>,
  certs: CertificateServices,
  name: string,
  signal: AbortSignal,
): Promise<CertificateScan> {
  const definition = await certs.store.load(name);
  const hosts = deps.inventory.select(definition.deploy.hosts);
  const results = await settleInParallel(hosts, 20, (host) =>
    certs.probe(
      { host: host.address, port: definition.check.port, servername: definition.check.sni },
      { timeoutMs: 10_000, signal },
    ),
  );
  const probes: HostProbe[] = results.map((r, i) => {
    const host = hosts[i]!.name;
    if (r.status === 'fulfilled') return { host, served: r.value };
    const err = r.reason as { code?: string; message?: string };
    return { host, error: { code: err.code ?? 'error', message: err.message ?? String(r.reason) } };
  });
  const now = deps.clock();
  const status = servedStatus(name, probes, { renewBeforeMs: definition.renewBefore, now });
  const worst = status.worst;
  return {
    certificate: name,
    renewBeforeDays: Math.round(definition.renewBefore / 86_400_000),
    status,
    state: worst ? worst.state : 'unreadable',
    daysLeft: worst ? worst.daysLeft : null,
  };
}

/** `/cert status` lines for one certificate: each served fingerprint with its hosts, and unreadable hosts. */
export function statusLines(scan: CertificateScan): string[] {
  const lines = [`${scan.certificate}: ${stateText(scan)}`];
  for (const g of scan.status.groups)
    lines.push(
      `  ${short(g.fingerprintSha256)} serial ${g.serial}, notAfter ${g.notAfter}, issuer ${g.issuer}: ${g.hosts.length} host(s): ${g.hosts.join(', ')}`,
    );
  for (const f of scan.status.failed) lines.push(`  unreadable ${f.host}: ${f.message}`);
  return lines;
}

export function stateText(scan: CertificateScan): string {
  switch (scan.state) {
    case 'unreadable':
      return 'no host could be read';
    case 'expired':
      return `EXPIRED ${-(scan.daysLeft ?? 0)} day(s) ago`;
    case 'renew':
      return `renew now: ${scan.daysLeft} day(s) left, inside its ${scan.renewBeforeDays}-day window`;
    case 'ok':
      return `ok: ${scan.daysLeft} day(s) left (renews ${scan.renewBeforeDays} days before expiry)`;
  }
}
