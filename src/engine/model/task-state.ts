import { z } from 'zod';

/**
 * A task's life: `pending` until its trigger rule decides, then `queued` → `running` → a final state.
 * `up_for_retry` waits out a backoff; `waiting` is a gate waiting for a decision (it holds no worker);
 * `held` is a stage paused by an operator between batches. Final states follow Airflow's names.
 */
export const TaskState = z.enum([
  'pending',
  'queued',
  'running',
  'up_for_retry',
  'waiting',
  'held',
  'success',
  'failed',
  'skipped',
  'upstream_failed',
]);
export type TaskState = z.infer<typeof TaskState>;

export const FINAL_TASK_STATES: ReadonlySet<TaskState> = new Set([
  'success',
  'failed',
  'skipped',
  'upstream_failed',
]);

export function isFinalTaskState(state: TaskState): boolean {
  return FINAL_TASK_STATES.has(state);
}

export const RunState = z.enum(['running', 'held', 'succeeded', 'failed', 'aborted']);
export type RunState = z.infer<typeof RunState>;

export const FINAL_RUN_STATES: ReadonlySet<RunState> = new Set(['succeeded', 'failed', 'aborted']);
