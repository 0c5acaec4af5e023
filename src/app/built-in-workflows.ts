import { createConfigPushWorkflow, type ConfigPushDeps } from '../../workflows/config-push.js';
import type { AnyWorkflow } from '../engine/index.js';

/** The workflows every Marshal has. Each is a factory of its injected dependencies. */
export function builtInWorkflows(deps: ConfigPushDeps): AnyWorkflow[] {
  return [createConfigPushWorkflow(deps)];
}
