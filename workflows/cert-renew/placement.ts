import { z } from 'zod';
import { short } from './served.js';

/**
 * The stored record of which certificate is where, per declared certificate: each fingerprint its
 * hosts serve, with notAfter and the hosts, as the last renewal run (not a dry run) left them. Kept in
 * cert-renew's records (`deps.records`, key `placement:<certificate>`); `/cert status` shows it beside
 * what the hosts serve now, so a host that changed behind Marshal's back stands out. Public data only.
 */
export const CertificatePlacement = z.object({
  certificate: z.string(),
  runId: z.string(),
  recordedAt: z.string(),
  succeeded: z.boolean(),
  served: z.array(
    z.object({ fingerprintSha256: z.string(), notAfter: z.string(), hosts: z.array(z.string()) }),
  ),
  /** Hosts whose state the run could not vouch for (a restore that failed or is unknown). */
  unknown: z.array(z.string()),
});
export type CertificatePlacement = z.infer<typeof CertificatePlacement>;

export const placementKey = (certificate: string): string => `placement:${certificate}`;

/**
 * Where the run left things: the hosts still holding the change serve the new certificate; every other
 * selected host serves what it served at the pre-checks (never changed, or put back by a rollback),
 * unless its restore failed or is unknown.
 */
export function placementAfterRun(run: {
  certificate: string;
  runId: string;
  at: string;
  succeeded: boolean;
  hosts: readonly string[];
  changed: readonly string[];
  restoreFailed: readonly string[];
  newCert: { fingerprintSha256: string; notAfter: string } | undefined;
  before: Readonly<Record<string, { fingerprintSha256: string; notAfter: string }>>;
}): CertificatePlacement {
  const groups = new Map<string, { fingerprintSha256: string; notAfter: string; hosts: string[] }>();
  const unknown: string[] = [];
  for (const host of run.hosts) {
    const served = run.changed.includes(host)
      ? run.newCert
      : run.restoreFailed.includes(host)
        ? undefined
        : run.before[host];
    if (!served) {
      unknown.push(host);
      continue;
    }
    const group = groups.get(served.fingerprintSha256) ?? { ...served, hosts: [] };
    group.hosts.push(host);
    groups.set(served.fingerprintSha256, group);
  }
  return {
    certificate: run.certificate,
    runId: run.runId,
    recordedAt: run.at,
    succeeded: run.succeeded,
    served: [...groups.values()].map((g) => ({ ...g, hosts: [...g.hosts].sort() })),
    unknown: [...unknown].sort(),
  };
}

/** The stored record as `/cert status` lines, and which hosts now serve something else than recorded. */
export function placementLines(
  record: CertificatePlacement | undefined,
  live: Readonly<Record<string, string>>,
): string[] {
  if (!record) return ['  recorded: nothing yet (no renewal run has recorded where this certificate is)'];
  const lines = [
    `  recorded by run ${record.runId} at ${record.recordedAt}${record.succeeded ? '' : ' (a failed run)'}:`,
  ];
  const differ: string[] = [];
  for (const g of record.served) {
    lines.push(`    ${short(g.fingerprintSha256)} notAfter ${g.notAfter}: ${g.hosts.join(', ')}`);
    for (const host of g.hosts)
      if (live[host] !== undefined && live[host] !== g.fingerprintSha256) differ.push(host);
  }
  if (record.unknown.length) lines.push(`    unknown after the run: ${record.unknown.join(', ')}`);
  lines.push(
    differ.length
      ? `  live differs from the record on: ${differ.sort().join(', ')}`
      : '  live matches the record',
  );
  return lines;
}
