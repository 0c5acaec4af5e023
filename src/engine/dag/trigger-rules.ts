import type { TaskState } from '../model/task-state.js';
import type { TriggerRule } from '../model/trigger-rule.js';

/**
 * What a task should do now, given its trigger rule and its direct upstream tasks' states:
 * `wait` (not decidable yet), `run`, or settle without running as `skip` or `upstream_failed`.
 */
export type TriggerVerdict = 'wait' | 'run' | 'skip' | 'upstream_failed';

interface UpstreamCounts {
  total: number;
  done: number;
  success: number;
  failed: number;
  upstreamFailed: number;
  skipped: number;
}

function count(upstream: readonly TaskState[]): UpstreamCounts {
  const c: UpstreamCounts = {
    total: upstream.length,
    done: 0,
    success: 0,
    failed: 0,
    upstreamFailed: 0,
    skipped: 0,
  };
  for (const state of upstream) {
    switch (state) {
      case 'success':
        c.success++;
        break;
      case 'failed':
        c.failed++;
        break;
      case 'upstream_failed':
        c.upstreamFailed++;
        break;
      case 'skipped':
        c.skipped++;
        break;
      default:
        // pending, queued, running, up_for_retry, waiting, held: not done yet.
        continue;
    }
    c.done++;
  }
  return c;
}

/**
 * Airflow's trigger-rule semantics (`airflow/ti_deps/deps/trigger_rule_dep.py`, with
 * `flag_upstream_failed` on, as the scheduler runs it). As in Airflow, a verdict that settles the task
 * (`skip`, `upstream_failed`) is reached as soon as it is certain, without waiting for the remaining
 * upstream tasks: e.g. `all_success` with one failed upstream is `upstream_failed` at once.
 */
export function evaluateTrigger(rule: TriggerRule, upstream: readonly TaskState[]): TriggerVerdict {
  if (upstream.length === 0 || rule === 'always') return 'run';
  const c = count(upstream);
  const allDone = c.done === c.total;
  const anyFailure = c.failed + c.upstreamFailed > 0;

  switch (rule) {
    case 'all_success':
      if (anyFailure) return 'upstream_failed';
      if (c.skipped > 0) return 'skip';
      return c.success === c.total ? 'run' : 'wait';

    case 'all_failed':
      if (c.success + c.skipped > 0) return 'skip';
      return c.failed + c.upstreamFailed === c.total ? 'run' : 'wait';

    case 'all_done':
      return allDone ? 'run' : 'wait';

    case 'one_success':
      if (c.success > 0) return 'run';
      if (!allDone) return 'wait';
      // Everything done, nothing succeeded: all skipped propagates the skip, anything else is a failure.
      return c.skipped === c.total ? 'skip' : 'upstream_failed';

    case 'one_failed':
      if (anyFailure) return 'run';
      return allDone ? 'skip' : 'wait';

    case 'none_failed':
      if (anyFailure) return 'upstream_failed';
      return c.success + c.skipped === c.total ? 'run' : 'wait';

    case 'none_failed_min_one_success':
      if (anyFailure) return 'upstream_failed';
      if (c.skipped === c.total) return 'skip';
      return c.success + c.skipped === c.total ? 'run' : 'wait';

    case 'none_skipped':
      if (c.skipped > 0) return 'skip';
      return allDone ? 'run' : 'wait';
  }
}
