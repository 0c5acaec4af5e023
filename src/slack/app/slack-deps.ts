import type { Engine } from '../../engine/engine.js';
import type { Logger } from '../../log/index.js';
import type { AccessControl } from '../auth/access-control.js';
import type { ReplayGuard } from '../auth/replay-guard.js';

/** Which workflows this Marshal has (the engine's registry answers it). */
export interface WorkflowCatalog {
  has(name: string): boolean;
}

/** What slash commands and button handlers are given. Built once by `createSlackApp`. */
export interface SlackDeps {
  readonly engine: Engine;
  readonly workflows: WorkflowCatalog;
  readonly access: AccessControl;
  readonly replay: ReplayGuard;
  readonly logger: Logger;
}
