import type { MarshalDeps, WorkflowDirs } from '../../kit/deps.js';

/**
 * Deps for building a workflow only to check it (at load, for `marshal workflows`, `marshal manifest`):
 * building must not touch hosts, Redis or Slack, so any use says so instead of connecting.
 */
export function inertDeps(dirs: WorkflowDirs): MarshalDeps {
  const unavailable = (what: string): never => {
    throw new Error(
      `${what} was used while the workflow was being built; use deps only inside tasks (they run later)`,
    );
  };
  const inert = <T extends object>(what: string): T =>
    new Proxy({} as T, { get: (_t, key) => (key === 'then' ? undefined : unavailable(`deps.${what}`)) });
  return {
    inventory: inert('inventory'),
    executor: inert('executor'),
    blocks: inert('blocks'),
    notifier: inert('notifier'),
    audit: inert('audit'),
    runs: inert('runs'),
    bundles: inert('bundles'),
    records: inert('records'),
    settings: undefined,
    clock: () => new Date(),
    dirs,
    log: inert('log'),
  };
}
