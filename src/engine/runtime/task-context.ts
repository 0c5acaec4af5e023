import { AttemptSuperseded } from '../errors/attempt-superseded.js';
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
  /** What makes this attempt the owner of its work: the task's attempt, or the target's fencing token. */
  fence: Fence;
}

export type Fence =
  { kind: 'task'; taskId: string; attempt: number } | { kind: 'target'; field: string; token: string };

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
    fenced: async (effect) => {
      await assertOwner(rt, info.runId, d.fence, d.signal);
      return effect();
    },
  };
}

/**
 * Throws `AttemptSuperseded` when the attempt lost its work: its signal says so (lock lost), or Redis
 * does (a newer attempt holds the task or the target). Other aborts (a timeout) do not stop an effect
 * such as the audit record of the failure.
 */
export async function assertOwner(
  rt: Runtime,
  runId: string,
  fence: Fence,
  signal: AbortSignal,
): Promise<void> {
  if (signal.aborted && signal.reason instanceof AttemptSuperseded) throw signal.reason;
  const owner = await rt.scripts.run<number>(
    'marshalFenceCheck',
    [fence.kind === 'target' ? rt.keys.ledger(runId) : rt.keys.tasks(runId)],
    fence.kind === 'target' ? ['target', fence.field, fence.token] : ['task', fence.taskId, fence.attempt],
  );
  if (signal.aborted && signal.reason instanceof AttemptSuperseded) throw signal.reason;
  if (owner !== 1) {
    const work = fence.kind === 'target' ? `target ${fence.field}` : `task ${fence.taskId}`;
    throw new AttemptSuperseded(work, 'a newer attempt holds it');
  }
}

/** An attempt's signal: aborted by its job's lease or by its own deadline, whichever comes first. */
export function joinSignals(...signals: (AbortSignal | undefined)[]): AbortSignal {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  return present.length === 1 ? present[0]! : AbortSignal.any(present);
}
