import type { AuditSink, Notifier, RunReader, WorkflowRecords } from '../../src/authoring/index.js';
import type { DrillServices } from '../../src/drdrill/index.js';

/** What the DR drill's runbook is given: Marshal's standard deps it uses, and the drill's services. */
export interface DrDrillDeps {
  readonly services: DrillServices;
  readonly records: WorkflowRecords;
  readonly audit: AuditSink;
  readonly notifier: Notifier;
  readonly runs: RunReader;
  readonly clock?: () => Date;
}
