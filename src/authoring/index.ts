/**
 * The one import for workflow authors: `import { defineWorkflow, RolloutParams, sh } from
 * 'marshal/authoring'` in a workflow module (or this file by relative path inside Marshal). It holds the
 * engine's authoring entry (builder, contract types, shared rollout params, gates, planning) and the
 * types of what workflows are handed (hosts, the executor, the notifier, the audit sink). Nothing here
 * opens a connection or loads an I/O library: effects are injected.
 */
export * from '../engine/authoring.js';

export { Host, type HostInput } from '../hosts/host.js';
export { quote, sh, type ShellValue } from '../hosts/quote.js';
export type { ExecOptions, ExecResult, HostExecutor, ShellCommand, UploadSpec } from '../hosts/executor.js';
export { postNote, type Notifier } from '../notify/notifier.js';
export type { AuditEntryInput, AuditSink } from '../audit/audit-entry.js';
export {
  ErrorCode,
  MarshalError,
  ValidationError,
  isMarshalError,
  type FieldIssue,
} from '../errors/index.js';

// The workflow module a workflow file default-exports (`defineWorkflowModule`), and what it is given.
export * from '../kit/index.js';
export type * from '../hosts/blocks/types.js';
export {
  HealthCheckSpec,
  hostLocks,
  lbServerOf,
  probeFor,
  serviceManagerOf,
} from '../hosts/blocks/host-specs.js';
