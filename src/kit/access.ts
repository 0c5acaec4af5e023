import type { WorkflowCatalog } from './catalog.js';

export interface AccessRights {
  readonly start: readonly string[];
  readonly approve: readonly string[];
  /** Approvals each gate needs at least (config only); 1 when unset. */
  readonly quorum?: number;
  /** `--auto-approve` allowed (config only). */
  readonly unattended?: boolean;
}

/**
 * Who may start and approve each workflow: the workflow module's defaults, overridden right by right
 * by Marshal's config file (`access.workflows.<name>.start|approve`). A config entry for a workflow that
 * is not loaded is kept (it grants nothing until the workflow exists).
 */
export function effectiveAccess(
  configured: {
    readonly workflows: Readonly<
      Record<
        string,
        { start?: readonly string[]; approve?: readonly string[]; quorum?: number; unattended?: boolean }
      >
    >;
  },
  catalog: WorkflowCatalog,
): Record<string, AccessRights> {
  const rights: Record<string, AccessRights> = {};
  const names = new Set([...catalog.list().map((w) => w.module.name), ...Object.keys(configured.workflows)]);
  for (const name of names) {
    const defaults = catalog.get(name)?.module.access;
    const config = configured.workflows[name];
    rights[name] = {
      start: config?.start ?? defaults?.start ?? [],
      approve: config?.approve ?? defaults?.approve ?? [],
      ...(config?.quorum !== undefined ? { quorum: config.quorum } : {}),
      ...(config?.unattended !== undefined ? { unattended: config.unattended } : {}),
    };
  }
  return rights;
}
