import { z } from 'zod';

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
