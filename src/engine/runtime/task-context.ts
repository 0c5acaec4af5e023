import type { TaskContext, TaskHandle } from '../model/workflow.js';
import { acquireLocks } from './locks.js';
import type { RunInfo } from './run-info.js';
import type { Runtime } from './runtime.js';

export interface ContextData {
  taskId: string;
  attempt: number;
  signal: AbortSignal;
  outputs: Record<string, string>;
  changed: Map<string, string[]>;
}

/** Reads what a task may see (outputs, changed targets) in the same round trip as its begin script. */
export function rolloutIdsOf(info: RunInfo): string[] {
  const ids = new Set<string>();
  for (const t of info.def.tasks.values()) if (t.kind === 'stage') ids.add(t.rolloutId);
  return [...ids];
}

export function buildContext(rt: Runtime, info: RunInfo, d: ContextData): TaskContext<unknown> {
  const log = rt.logger.child({
    runId: info.runId,
    workflow: info.def.name,
    taskId: d.taskId,
    attempt: d.attempt,
  });
  return {
    runId: info.runId,
    workflow: info.def.name,
    taskId: d.taskId,
    params: info.params,
    requester: info.requester,
    dryRun: info.dryRun,
    attempt: d.attempt,
    log,
    signal: d.signal,
    output<O>(task: TaskHandle<O>): Exclude<O, void> | undefined {
      // Workflow modules in plain JavaScript get no type check: say what to pass instead.
      if (typeof task !== 'object' || task === null || typeof task.id !== 'string') {
        throw new TypeError(
          `ctx.output takes the handle wf.task() (or a gate) returned, not ${JSON.stringify(task)}`,
        );
      }
      const raw = d.outputs[task.id];
      return raw === undefined ? undefined : (JSON.parse(raw) as Exclude<O, void>);
    },
    changedTargets: (rolloutId) => d.changed.get(rolloutId) ?? [],
    lock: (names, reason) => acquireLocks(rt, info.runId, names, reason),
  };
}
