import type { DnsUpdate, RecordType } from './dns-update.js';

/** A record the drill moves: its values while the primary serves and once the secondary does. */
export interface SwitchableRecord {
  owner: string;
  type: RecordType;
  ttl: number;
  primary: readonly string[];
  secondary: readonly string[];
}

export type Side = 'primary' | 'secondary';

/**
 * The one update that moves `records` from one side's values to the other's: each RRset must hold
 * exactly the `from` values now (so a typo in the scenario, or a zone someone else changed, refuses the
 * whole update rather than overwriting what nobody expected), then is replaced by the `to` values.
 * Fail-back is the same with the sides swapped.
 */
export function switchRecords(
  zone: string,
  records: readonly SwitchableRecord[],
  from: Side,
  to: Side,
): DnsUpdate {
  return {
    zone,
    prerequisites: records.map((r) => ({ kind: 'rrset-is', owner: r.owner, type: r.type, values: r[from] })),
    changes:
      from === to
        ? []
        : records.map((r) => ({ kind: 'replace', owner: r.owner, type: r.type, ttl: r.ttl, values: r[to] })),
  };
}
