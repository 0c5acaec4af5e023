import type { ServedCertificate } from '../probe/probe-served-certificate.js';
import { expiryVerdict, type ExpiryState } from './expiry.js';

/** One host's probe: what it serves, or why it could not be read. */
export type HostProbe =
  { host: string; served: ServedCertificate } | { host: string; error: { code: string; message: string } };

export interface FingerprintGroup {
  fingerprintSha256: string;
  notAfter: string;
  issuer: string;
  serial: string;
  hosts: string[];
}

/** `/cert status` and the radar's view of one certificate across its hosts. */
export interface ServedStatus {
  certificate: string;
  /** One group per distinct served certificate, the most common first. */
  groups: FingerprintGroup[];
  /** Hosts that could not be read. */
  failed: { host: string; code: string; message: string }[];
  /** With `expected`: the hosts not serving it (another certificate, or unreadable). */
  notServingExpected?: string[];
  /** The state of the soonest-expiring served certificate against renew-before. */
  worst: { state: ExpiryState; daysLeft: number; hosts: string[] } | undefined;
}

/**
 * Groups per-host probes by served fingerprint and judges expiry: which hosts serve which certificate,
 * which could not be read, which do not serve `expected` (after a rollout), and how soon the oldest
 * served certificate enters its renew-before window. Pure; hosts keep the order they were given in.
 */
export function servedStatus(
  certificate: string,
  probes: readonly HostProbe[],
  options: { renewBeforeMs: number; now: Date; expected?: string },
): ServedStatus {
  const byFingerprint = new Map<string, FingerprintGroup>();
  const failed: ServedStatus['failed'] = [];
  for (const probe of probes) {
    if ('error' in probe) {
      failed.push({ host: probe.host, ...probe.error });
      continue;
    }
    const s = probe.served;
    const group = byFingerprint.get(s.fingerprintSha256);
    if (group) group.hosts.push(probe.host);
    else
      byFingerprint.set(s.fingerprintSha256, {
        fingerprintSha256: s.fingerprintSha256,
        notAfter: s.notAfter,
        issuer: s.issuer,
        serial: s.serial,
        hosts: [probe.host],
      });
  }
  const groups = [...byFingerprint.values()].sort((a, b) => b.hosts.length - a.hosts.length);
  const soonest = [...groups].sort((a, b) => Date.parse(a.notAfter) - Date.parse(b.notAfter))[0];
  const verdict = soonest && expiryVerdict(new Date(soonest.notAfter), options.renewBeforeMs, options.now);
  const status: ServedStatus = {
    certificate,
    groups,
    failed,
    worst:
      soonest && verdict
        ? { state: verdict.state, daysLeft: verdict.daysLeft, hosts: soonest.hosts }
        : undefined,
  };
  if (options.expected !== undefined)
    status.notServingExpected = probes
      .filter((p) => !('served' in p) || p.served.fingerprintSha256 !== options.expected)
      .map((p) => p.host);
  return status;
}
