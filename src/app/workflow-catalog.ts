import { dirname } from 'node:path';
import type { MarshalConfig } from '../config/marshal-config.js';
import { createCatalog, type WorkflowCatalog } from '../kit/catalog.js';
import { BUILT_IN_WORKFLOWS } from './built-in-workflows.js';
import { loadWorkflowModules } from './modules/load-workflow-modules.js';
import { validateModule } from './modules/validate-module.js';

/**
 * Every workflow this Marshal has: the built-ins, then every module in the directories the config names.
 * A module that does not load, does not validate or clashes with another stops start-up here, with an
 * error naming its file, the task and the fix.
 */
export async function loadWorkflowCatalog(
  config: Pick<MarshalConfig, 'workflows' | 'configDir'>,
): Promise<WorkflowCatalog> {
  const builtIn = BUILT_IN_WORKFLOWS.map(({ module, file }) =>
    validateModule(module, { file, dir: dirname(file), configDir: config.configDir, builtIn: true }),
  );
  const loaded = await loadWorkflowModules(
    config.workflows.map((path, i) => ({ path, where: `workflows[${i}]` })),
    config.configDir,
  );
  return createCatalog([...builtIn, ...loaded]);
}
