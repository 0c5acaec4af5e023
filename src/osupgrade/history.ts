import { z } from 'zod';
import type { Json } from '../engine/model/workflow.js';
import { median } from './durations.js';

/** One host's end in one run, as the OS upgrade remembers it per release (the status report reads these). */
export const HostRecord = z.object({
  runId: z.string(),
  host: z.string(),
  dc: z.string(),
  result: z.enum(['done', 'failed', 'skipped', 'rolled_back']),
  /** When the host's end was known. */
  at: z.string(),
  durationMs: z.number().nonnegative().optional(),
  /** When each phase finished: fetch, install, reboot, back, healthy (ISO times). */
  phases: z.record(z.string(), z.string()).optional(),
  reason: z.string().optional(),
});
export type HostRecord = z.infer<typeof HostRecord>;

/** A failed attempt remembered per host and release: the next run leaves the host out unless told. */
export const FailedBefore = z.object({ runId: z.string(), at: z.string(), error: z.string() });
export type FailedBefore = z.infer<typeof FailedBefore>;

export const historyKey = (release: string): string => `history:${release}`;
/** Host ends kept per release: enough for a data center of several thousand hosts and a few retries. */
export const HISTORY_KEEP = 20_000;

/** A record as the workflow's records keep it: JSON, with the absent optional fields left out. */
export function hostRecordJson(record: HostRecord): Json {
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) out[key] = value;
  return out;
}

/** The release's history as recorded; an entry that does not parse (an older shape) is left out. */
export function parseHistory(entries: readonly Json[]): HostRecord[] {
  return entries.flatMap((r) => {
    const parsed = HostRecord.safeParse(r);
    return parsed.success ? [parsed.data] : [];
  });
}
export const failedKey = (host: string, release: string): string => `failed:${release}:${host}`;

export interface DcStatus {
  dc: string;
  hosts: number;
  upgraded: number;
  failed: number;
  pending: number;
  /** Upgraded out of the hosts that were tried (upgraded + failed), in percent; null before any. */
  successRate: number | null;
  medianMs: number | null;
  slowest: { host: string; durationMs: number }[];
}

/**
 * Where a release stands in each data center: every inventory host counts (pending until a run upgraded or
 * failed it); a host's latest record wins, so a host that failed and was upgraded later counts upgraded.
 */
export function releaseStatus(
  records: readonly HostRecord[],
  hosts: readonly { name: string; dc: string }[],
): DcStatus[] {
  const latest = new Map<string, HostRecord>();
  for (const r of records) if (r.result !== 'skipped') latest.set(r.host, r);
  const dcs = [...new Set(hosts.map((h) => h.dc))].sort();
  return dcs.map((dc) => {
    const members = hosts.filter((h) => h.dc === dc);
    const ends = members.flatMap((h) => (latest.has(h.name) ? [latest.get(h.name)!] : []));
    const done = ends.filter((r) => r.result === 'done');
    const failed = ends.filter((r) => r.result === 'failed' || r.result === 'rolled_back');
    const timed = done.filter((r) => r.durationMs !== undefined) as (HostRecord & { durationMs: number })[];
    const tried = done.length + failed.length;
    return {
      dc,
      hosts: members.length,
      upgraded: done.length,
      failed: failed.length,
      pending: members.length - done.length - failed.length,
      successRate: tried === 0 ? null : Math.round((1000 * done.length) / tried) / 10,
      medianMs: median(timed.map((r) => r.durationMs)) ?? null,
      slowest: [...timed]
        .sort((a, b) => b.durationMs - a.durationMs)
        .slice(0, 3)
        .map((r) => ({ host: r.host, durationMs: r.durationMs })),
    };
  });
}

/**
 * The share of each data center on the release over time: one point per upgraded host, in the order the
 * hosts finished (what the run's chart draws).
 */
export function adoptionSeries(
  records: readonly HostRecord[],
  hosts: readonly { name: string; dc: string }[],
): { dc: string; points: { at: string; percent: number }[] }[] {
  const size = new Map<string, number>();
  for (const h of hosts) size.set(h.dc, (size.get(h.dc) ?? 0) + 1);
  const done = new Set<string>();
  const count = new Map<string, number>();
  const series = new Map<string, { at: string; percent: number }[]>();
  for (const r of [...records].sort((a, b) => a.at.localeCompare(b.at))) {
    const total = size.get(r.dc);
    if (!total) continue;
    const points = series.get(r.dc) ?? [];
    if (r.result === 'done' && !done.has(r.host)) {
      done.add(r.host);
      count.set(r.dc, (count.get(r.dc) ?? 0) + 1);
    } else if (r.result !== 'done' && done.has(r.host) && r.result !== 'skipped') {
      done.delete(r.host);
      count.set(r.dc, (count.get(r.dc) ?? 1) - 1);
    } else continue;
    points.push({ at: r.at, percent: Math.round((1000 * (count.get(r.dc) ?? 0)) / total) / 10 });
    series.set(r.dc, points);
  }
  return [...series.entries()].map(([dc, points]) => ({ dc, points }));
}

export function formatStatus(release: string, status: readonly DcStatus[]): string {
  if (status.length === 0) return `No hosts in the inventory for ${release}.`;
  const lines = status.map((s) => {
    const rate = s.successRate === null ? 'no attempts yet' : `${s.successRate}% success`;
    const med = s.medianMs === null ? '' : `, median ${(s.medianMs / 1000).toFixed(1)} s`;
    const slow = s.slowest.length
      ? `, slowest ${s.slowest.map((x) => `${x.host} ${(x.durationMs / 1000).toFixed(1)} s`).join(', ')}`
      : '';
    return `• ${s.dc}: ${s.upgraded}/${s.hosts} upgraded, ${s.failed} failed, ${s.pending} pending; ${rate}${med}${slow}`;
  });
  return [`*${release}* by data center:`, ...lines].join('\n');
}
