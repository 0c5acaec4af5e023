// TEMP stand-in until engine-core lands.
import type { TaskState } from '../model/task-state.js';
import type { TriggerRule } from '../model/trigger-rule.js';
export type TriggerDecision = 'wait' | 'run' | 'skip' | 'upstream_failed';
const FINAL = new Set<TaskState>(['success', 'failed', 'skipped', 'upstream_failed']);
export function evaluateTrigger(rule: TriggerRule, up: TaskState[]): TriggerDecision {
  const done = up.every((s) => FINAL.has(s));
  const n = (s: TaskState[]) => up.filter((u) => s.includes(u)).length;
  const failed = n(['failed', 'upstream_failed']);
  const success = n(['success']);
  const skipped = n(['skipped']);
  switch (rule) {
    case 'always':
      return 'run';
    case 'all_done':
      return done ? 'run' : 'wait';
    case 'one_failed':
      if (failed > 0) return 'run';
      return done ? 'skip' : 'wait';
    case 'one_success':
      if (success > 0) return 'run';
      return done ? (failed > 0 ? 'upstream_failed' : 'skip') : 'wait';
    case 'all_failed':
      if (success > 0 || skipped > 0) return 'skip';
      return done ? 'run' : 'wait';
    case 'none_failed':
      if (failed > 0) return 'upstream_failed';
      return done ? 'run' : 'wait';
    case 'none_failed_min_one_success':
      if (failed > 0) return 'upstream_failed';
      return done ? (success > 0 ? 'run' : 'skip') : 'wait';
    case 'none_skipped':
      if (skipped > 0) return 'skip';
      return done ? 'run' : 'wait';
    case 'all_success':
      if (failed > 0) return 'upstream_failed';
      if (skipped > 0) return 'skip';
      return done ? 'run' : 'wait';
  }
}
