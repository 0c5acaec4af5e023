import type { AuditSink, RunSnapshot, HostExecutor, Host, Notifier } from '../../src/authoring/index.js';
export type { Notifier } from '../../src/authoring/index.js';
import type { BundleStore } from '../../src/bundles/bundle-store.js';

/** The part of the inventory a config push uses. */
export interface HostDirectory {
  /** Throws when there is no such host. */
  get(name: string): Host;
  /** Throws a ValidationError (InvalidSelector) for a malformed selector; may return no host. */
  select(selector: string): Host[];
}

/** Everything a config push touches, injected: the workflow itself imports no I/O library. */
export interface ConfigPushDeps {
  executor: HostExecutor;
  inventory: HostDirectory;
  bundles: BundleStore;
  audit: AuditSink;
  notifier: Notifier;
  /** Reads the run's own record (gate decisions, per-host results) for evidence, audit and notification. */
  runs: { get(runId: string): Promise<RunSnapshot> };
  clock?: () => Date;
}
