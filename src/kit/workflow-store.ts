/**
 * A workflow's own small memory across runs (kept in Redis under the workflow's name): what an OS
 * upgrade remembers of hosts that failed a release, the per-host history a status report reads. Values
 * are JSON; lists keep the newest `max` entries.
 */
export interface WorkflowStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  /** Appends to a list, keeping at most `max` of the newest entries. */
  push(list: string, value: unknown, max?: number): Promise<void>;
  /** The list, oldest first. */
  list(list: string): Promise<unknown[]>;
}
