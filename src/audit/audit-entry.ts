import { z } from 'zod';
import { scrubSecrets } from '../log/index.js';

/**
 * One line of the audit record: who did what to which run, when. `data` holds the specifics (bundle
 * sha256, a host's before/after checksums, an approval) and is scrubbed of secrets before it is stored.
 */
export const AuditEntry = z.object({
  runId: z.string().min(1),
  at: z.string(),
  /** What happened, e.g. `run.requested`, `gate.approved`, `host.changed`, `host.restored`, `run.finished`. */
  kind: z.string().min(1),
  /** Who did it: a Slack user id, `cli:<user>`, or `marshal` for the engine itself. */
  actor: z.string().min(1),
  target: z.string().optional(),
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
  return AuditEntry.parse({ ...input, data: scrubDeep(input.data ?? {}) });
}

/** Scrubs every string inside a JSON-like value, leaving its shape intact. */
function scrubDeep<T>(value: T): T {
  if (typeof value === 'string') return scrubSecrets(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => scrubDeep(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v)])) as T;
  }
  return value;
}
