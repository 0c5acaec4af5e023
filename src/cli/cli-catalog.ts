import { loadWorkflowCatalog } from '../app/workflow-catalog.js';
import { loadMarshalConfig } from '../config/marshal-config.js';
import type { WorkflowCatalog } from '../kit/catalog.js';

/**
 * The workflows as `marshal workflows`, `marshal manifest` and `marshal run --help` see them: the
 * built-ins and the directories Marshal's config (MARSHAL_CONFIG) names; only the built-ins when no
 * config is set. Loading checks every module and connects to nothing.
 */
export async function cliCatalog(
  env: Record<string, string | undefined> = process.env,
): Promise<{ catalog: WorkflowCatalog; config: string | undefined }> {
  const path = env.MARSHAL_CONFIG?.trim() || undefined;
  const config = path ? await loadMarshalConfig(path) : { workflows: [], configDir: process.cwd() };
  return { catalog: await loadWorkflowCatalog(config), config: path };
}
