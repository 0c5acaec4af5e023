import { z } from 'zod';
import { scrubSecrets } from '../log/index.js';

/**
 * One line of the audit record: who did what to which run, when. `data` holds the specifics (bundle
 * sha256, a host's before/after checksums, an approval) and is scrubbed of secrets before it is stored.
 */
export const AuditEntry = z.object({
  /** The run it concerns; absent for actions on the whole fleet (stop-all, freeze, schedules). */
  runId: z.string().min(1).optional(),
  at: z.string(),
  /** What happened, e.g. `run.started`, `gate.approved`, `run.hold`, `host.changed`, `ops.freeze`. */
  kind: z.string().min(1),
  /** Who did it: a Slack user id, `cli:<user>`, `schedule:<id>`, or `marshal` for the engine itself. */
  actor: z.string().min(1),
  target: z.string().optional(),
  /** The Slack message it belongs to (a permalink from chat.getPermalink), when there is one. */
  link: z.string().optional(),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export type AuditEntryInput = z.input<typeof AuditEntry>;

/** Where workflows and the engine write the audit record. */
export interface AuditSink {
  append(entry: AuditEntryInput): Promise<void>;
}

/** The record a sink stores for `input`: validated, defaults filled in, every string scrubbed of secrets. */
export function auditRecord(input: AuditEntryInput): AuditEntry {
  return ChainedEntry.parse({ ...input, data: scrubDeep(input.data ?? {}) });
}

/** A record from the hash chain keeps its place and hashes in every sink (see audit-record.ts). */
const ChainedEntry = AuditEntry.extend({
  seq: z.number().int().positive().optional(),
  prevHash: z.string().optional(),
  hash: z.string().optional(),
});

/** Scrubs every string inside a JSON-like value, leaving its shape intact. */
function scrubDeep<T>(value: T): T {
  if (typeof value === 'string') return scrubSecrets(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => scrubDeep(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v)])) as T;
  }
  return value;
}
