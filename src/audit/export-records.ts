import { stringify } from 'csv-stringify/sync';
import type { HashedAuditRecord } from './audit-record.js';

export type ExportFormat = 'jsonl' | 'csv';

export interface ExportFilter {
  /** Records at or after this time. */
  since?: Date;
  runId?: string;
}

export function matchesFilter(record: HashedAuditRecord, filter: ExportFilter): boolean {
  if (filter.runId !== undefined && record.runId !== filter.runId) return false;
  if (filter.since && !(Date.parse(record.at) >= filter.since.getTime())) return false;
  return true;
}

/** The CSV columns, in order; `data` is the record's data as JSON. */
export const CSV_COLUMNS = [
  'seq',
  'at',
  'runId',
  'kind',
  'actor',
  'target',
  'link',
  'data',
  'prevHash',
  'hash',
] as const;

/**
 * Records as compliance tools read them: JSON Lines (one record per line, each with its hash), or CSV
 * with a header row. Both keep `prevHash` and `hash`, so an export can be checked on its own.
 */
export function formatRecords(
  records: readonly HashedAuditRecord[],
  format: ExportFormat,
  header: boolean,
): string {
  if (format === 'jsonl') return records.map((r) => `${JSON.stringify(r)}\n`).join('');
  const rows = records.map((r) => [
    String(r.seq),
    r.at,
    r.runId ?? '',
    r.kind,
    r.actor,
    r.target ?? '',
    r.link ?? '',
    JSON.stringify(r.data),
    r.prevHash,
    r.hash,
  ]);
  return stringify(rows, { header, columns: [...CSV_COLUMNS] });
}
