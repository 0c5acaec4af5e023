import type { AuditSink } from '../audit/audit-entry.js';
import type { BundleStore } from '../bundles/bundle-store.js';
import type { RunSnapshot } from '../engine/model/run.js';
import type { HostExecutor } from '../hosts/executor.js';
import type { Inventory } from '../inventory/inventory.js';
import type { Logger } from '../log/logger.js';
import type { Notifier } from '../notify/notifier.js';

/** Reads a run's own record (gate decisions, per-target results) for evidence, audit and notification. */
export interface RunReader {
  get(runId: string): Promise<RunSnapshot>;
}

/** Where things are on the machine Marshal runs on; every path is absolute. */
export interface WorkflowDirs {
  /** The directory of Marshal's config file. */
  readonly config: string;
  /** The directory the workflow module was loaded from (the folder of a folder module). */
  readonly module: string;
  /** The module's bundled assets (`assets` in its definition, resolved against `module`), if it has any. */
  readonly assets: string | undefined;
}

/**
 * Marshal's standard dependencies, handed to every workflow module's `workflow(deps)` factory: the
 * same for built-in and user workflows (only `dirs` differs per module). Interfaces only; the
 * implementations (SSH, Redis, Slack) are put together in src/app.
 *
 * Host building blocks (reboot-and-wait, upload, systemd, HAProxy drain, …) are added here as
 * `blocks` by the kit-blocks work; until then `executor` is the way to hosts.
 */
export interface MarshalDeps {
  readonly inventory: Inventory;
  readonly executor: HostExecutor;
  readonly notifier: Notifier;
  readonly audit: AuditSink;
  readonly runs: RunReader;
  /** Configuration bundles (Marshal's config `bundles:` directory), validated on every load. */
  readonly bundles: BundleStore;
  readonly clock: () => Date;
  readonly dirs: WorkflowDirs;
  /** The process's logger; tasks log through `ctx.log`, which carries the run and task. */
  readonly log: Logger;
}
