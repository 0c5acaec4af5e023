import type { TaskState } from '../model/task-state.js';
import { RunStateConflict } from '../errors/run-state-conflict.js';
import { batchJob } from './rollout-stage.js';
import type { RunInfo } from './run-info.js';
import { nowIso, type Runtime } from './runtime.js';
import { afterFinal, enqueue } from './scheduler.js';

/** Operator controls: hold (the batches stage parks before its next batch), resume, abort. */
export async function holdRun(rt: Runtime, info: RunInfo, by: string): Promise<void> {
  const reply = await rt.scripts.run<string[]>(
    'marshalRunHold',
    [rt.keys.run(info.runId), rt.keys.tasks(info.runId)],
    ['1'],
  );
  refuseUnlessOk(info.runId, reply[0], 'hold');
  rt.emit({ type: 'run.control', runId: info.runId, at: nowIso(), action: 'hold', by });
}

export async function resumeRun(rt: Runtime, info: RunInfo, by: string): Promise<void> {
  const { runId } = info;
  const reply = await rt.scripts.run<string[]>(
    'marshalRunHold',
    [rt.keys.run(runId), rt.keys.tasks(runId)],
    ['0'],
  );
  refuseUnlessOk(runId, reply[0], 'resume');
  rt.emit({ type: 'run.control', runId, at: nowIso(), action: 'resume', by });
  const resumed = reply.slice(1);
  for (const taskId of resumed) {
    const next = Number((await rt.redis.hget(rt.keys.stage(runId, taskId), 'next')) ?? 0);
    rt.emit({ type: 'task.state', runId, at: nowIso(), taskId, state: 'running', attempt: 0 });
    await enqueue(rt, [batchJob(runId, taskId, next, 0, String(Date.now()))]);
  }
}

/**
 * Stops starting targets; in-flight ones finish; waiting gates and held stages end now; tasks not yet
 * started are skipped except cleanup (`all_done`) and, if asked for, rollback.
 */
export async function abortRun(
  rt: Runtime,
  info: RunInfo,
  by: string,
  rollback: boolean | undefined,
): Promise<{ rollback: boolean; atGate?: string }> {
  const { runId } = info;
  const atGate = await waitingRolloutGate(rt, info);
  // At a rollout's approval gate only the canary has changed: an abort returns it to what it was (as
  // Argo Rollouts' abort returns to stable) unless the operator asks to keep it.
  rollback ??= atGate !== undefined;
  const error = `run ${runId} was aborted by ${by}`;
  const reply = await rt.scripts.run<(string | number)[]>(
    'marshalRunAbort',
    [rt.keys.run(runId), rt.keys.tasks(runId), rt.keys.gates(runId)],
    [by, rollback ? '1' : '0', nowIso(), error],
  );
  if (reply[0] === 'finished')
    throw new RunStateConflict(runId, `run ${runId} has already finished; there is nothing to abort`);
  if (reply[0] === 'already') return { rollback, ...(atGate ? { atGate } : {}) };
  rt.emit({
    type: 'run.control',
    runId,
    at: nowIso(),
    action: 'abort',
    by,
    rollback,
    ...(atGate ? { atGate } : {}),
  });
  const ended = reply.slice(3).map(String);
  for (const taskId of ended)
    rt.emit({ type: 'task.state', runId, at: nowIso(), taskId, state: 'failed', attempt: 0, error });
  const raw = await rt.redis.hgetall(rt.keys.tasks(runId));
  const states = new Map<string, TaskState>();
  for (const [k, v] of Object.entries(raw)) if (!k.includes('#')) states.set(k, v as TaskState);
  const final = String(reply[2] ?? '');
  await afterFinal(rt, info, ended, {
    applied: true,
    runFinal: final ? (final as 'aborted') : undefined,
    flags: { abort: true, abortRollback: rollback },
    states,
  });
  return { rollback, ...(atGate ? { atGate } : {}) };
}

/** The rollout approval gate of this run that waits for a decision now, if any. */
async function waitingRolloutGate(rt: Runtime, info: RunInfo): Promise<string | undefined> {
  const gates = [...info.def.tasks.values()].filter((t) => t.kind === 'gate' && t.rolloutId !== undefined);
  if (gates.length === 0) return undefined;
  const states = await rt.redis.hmget(rt.keys.gates(info.runId), ...gates.map((g) => g.id));
  return gates.find((_, i) => states[i] === 'waiting')?.id;
}

function refuseUnlessOk(runId: string, verdict: string | undefined, action: string): void {
  if (verdict === 'finished')
    throw new RunStateConflict(runId, `run ${runId} has finished; cannot ${action} it`);
  if (verdict === 'aborted')
    throw new RunStateConflict(runId, `run ${runId} is being aborted; cannot ${action} it`);
}
