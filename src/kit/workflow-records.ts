import type { Json } from '../engine/model/workflow.js';

/**
 * A workflow's own records in Marshal's store, kept across runs: a history a later run or command reads
 * (a DR drill's scorecards per scenario), and a run's journal of what it has done (so an attempt that
 * took over from a dead worker continues where the last one stopped). Namespaced by workflow: two
 * workflows never see each other's records. Values are JSON; nothing secret belongs here.
 */
export interface WorkflowRecords {
  /** Appends `value` to the list `list`, keeping only the newest `keep` (default 1000). */
  append(list: string, value: Json, options?: { keep?: number }): Promise<void>;
  /** The newest `limit` entries of `list` (default all kept), oldest first. */
  list(list: string, limit?: number): Promise<Json[]>;
  get(key: string): Promise<Json | undefined>;
  set(key: string, value: Json): Promise<void>;
}
