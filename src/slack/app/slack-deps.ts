import type { Engine } from '../../engine/engine.js';
import type { Logger } from '../../log/index.js';
import type { WorkflowCatalog } from '../../kit/catalog.js';
import type { AccessControl } from '../auth/access-control.js';
import type { OpsControl } from '../../control/ops-control.js';
import type { ReplayGuard } from '../auth/replay-guard.js';
import type { ThreadStore } from '../progress/thread-store.js';

/** What slash commands and button handlers are given. Built once by `createSlackApp`. */
export interface SlackDeps {
  readonly engine: Engine;
  /** The loaded workflow modules: what `/marshal` lists and routes, and the commands they claimed. */
  readonly workflows: WorkflowCatalog;
  readonly access: AccessControl;
  readonly replay: ReplayGuard;
  /** Where each run's thread and approval cards were posted: a click is checked against its message. */
  readonly cards: Pick<ThreadStore, 'get'>;
  readonly logger: Logger;
  /** Stop-all, freeze, per-target access and schedules; absent in a front end built without them. */
  readonly control?: OpsControl;
}
