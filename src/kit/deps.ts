import type { AuditSink } from '../audit/audit-entry.js';
import type { BundleStore } from '../bundles/bundle-store.js';
import type { CertificateServices } from '../certificates/certificate-services.js';
import type { LockInfo, RunSnapshot } from '../engine/model/run.js';
import type { HostBlocks } from '../hosts/blocks/types.js';
import type { HostExecutor } from '../hosts/executor.js';
import type { Inventory } from '../inventory/inventory.js';
import type { Logger } from '../log/logger.js';
import type { Notifier } from '../notify/notifier.js';
import type { WorkflowRecords } from './workflow-records.js';

/** Reads a run's own record (gate decisions, per-target results) for evidence, audit and notification. */
export interface RunReader {
  get(runId: string): Promise<RunSnapshot>;
  /** Recent runs, newest first; `active` only those still going (a pre-check for other maintenance). */
  list(options?: { limit?: number; active?: boolean }): Promise<RunSnapshot[]>;
  /** The locks runs hold now, with who holds each. */
  locks(): Promise<LockInfo[]>;
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
 */
export interface MarshalDeps {
  readonly inventory: Inventory;
  readonly executor: HostExecutor;
  /**
   * Host building blocks over `executor`: quoted commands, atomic file writes, reboot-and-wait on a new
   * boot id, TCP/HTTP/TLS checks with thresholds, service restart/status, HAProxy drain/ready — each
   * change with its `check` (src/hosts/blocks/types.ts). Put together by `createHostBlocks`.
   */
  readonly blocks: HostBlocks;
  readonly notifier: Notifier;
  readonly audit: AuditSink;
  readonly runs: RunReader;
  /** Configuration bundles (Marshal's config `bundles:` directory), validated on every load. */
  readonly bundles: BundleStore;
  /**
   * Certificate definitions, ACME issuance, TLS probes, key sealing and the certificate team's mail,
   * when Marshal's config has a `certificates:` section (the `cert-*` workflows need it).
   */
  readonly certificates?: CertificateServices;
  /** The workflow's own records, kept across runs (histories, a run's journal); see WorkflowRecords. */
  readonly records: WorkflowRecords;
  /**
   * The workflow's section of Marshal's config file (`workflowSettings.<name>`), as written: the module
   * checks it with its own schema. Undefined when the config has none.
   */
  readonly settings: unknown;
  readonly clock: () => Date;
  readonly dirs: WorkflowDirs;
  /** The process's logger; tasks log through `ctx.log`, which carries the run and task. */
  readonly log: Logger;
}
