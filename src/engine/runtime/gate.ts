import type { CompiledTask } from '../dag/workflow-definition.js';
import type { GateDecision } from '../model/run.js';
import type { Json, TaskContext } from '../model/workflow.js';
import { GateClosed } from '../errors/gate-closed.js';
import { jobId } from './jobs.js';
import type { RunInfo } from './run-info.js';
import { errorText, nowIso, type Runtime } from './runtime.js';
import { afterFinal, enqueue, finishTask, parseFinishReply } from './scheduler.js';
import { withTimeout } from './with-timeout.js';

export type GateTask = Extract<CompiledTask<unknown>, { kind: 'gate' }>;

/**
 * Gathers the evidence, sets the gate `waiting` and arms its timeout; the job then ends (no worker waits).
 * In a dry run the gate passes at once.
 */
export async function openGate(
  rt: Runtime,
  info: RunInfo,
  task: GateTask,
  attempt: number,
  ctx: TaskContext<unknown>,
): Promise<void> {
  // A dry run changes nothing, so there is nothing for anyone to approve: waiting would only hold the
  // run's locks against real runs until someone clicks or the gate times out.
  if (info.dryRun) {
    await finishTask(rt, info, task.id, { from: ['running'], to: 'success', attempt });
    return;
  }
  let evidence: Json = null;
  try {
    if (task.gate.evidence)
      evidence = await withTimeout(task.id, task.timeoutMs ?? 60_000, (signal) =>
        task.gate.evidence!({ ...ctx, signal }),
      );
  } catch (err) {
    await finishTask(rt, info, task.id, {
      from: ['running'],
      to: 'failed',
      attempt,
      error: `could not gather the gate's evidence: ${errorText(err)}`,
    });
    return;
  }
  const expiresAt = new Date(Date.now() + task.gate.timeoutMs).toISOString();
  const { runId } = info;
  const opened = await rt.scripts.run<number>(
    'marshalGateOpen',
    [rt.keys.tasks(runId), rt.keys.gates(runId)],
    [task.id, attempt, JSON.stringify(evidence), expiresAt],
  );
  if (opened !== 1) return;
  await enqueue(rt, [
    {
      id: jobId(runId, task.id, 'timeout'),
      data: { kind: 'gate_timeout', runId, taskId: task.id },
      delayMs: task.gate.timeoutMs,
    },
  ]);
  rt.emit({ type: 'task.state', runId, at: nowIso(), taskId: task.id, state: 'waiting', attempt });
  rt.emit({
    type: 'gate.waiting',
    runId,
    at: nowIso(),
    gateId: task.id,
    evidence,
    expiresAt,
    requester: info.requester,
  });
}

export type GateOutcome = 'approved' | 'rejected' | 'timed_out';

export type GateDecideResult =
  | { applied: true; at: string }
  | {
      applied: false;
      why: 'finished' | 'not_waiting' | 'already_decided';
      state?: string;
      by?: string;
      at?: string;
    };

/** Decides a waiting gate exactly once; approve lets the rollout go on, reject or timeout fails the gate. */
export async function decideGate(
  rt: Runtime,
  info: RunInfo,
  gateId: string,
  outcome: GateOutcome,
  by: string,
  reason: string | undefined,
): Promise<GateDecideResult> {
  const at = nowIso();
  const { runId } = info;
  const taskState = outcome === 'approved' ? 'success' : 'failed';
  const error =
    outcome === 'approved'
      ? ''
      : new GateClosed(
          gateId,
          outcome === 'timed_out' ? 'not decided in time (fails closed)' : 'rejected',
          by,
        ).message;
  const reply = await rt.scripts.run<unknown[]>(
    'marshalGateDecide',
    [rt.keys.run(runId), rt.keys.tasks(runId), rt.keys.gates(runId)],
    [gateId, outcome, by, reason ?? '', at, taskState, error],
  );
  if (reply[0] === 'finished') return { applied: false, why: 'finished' };
  if (reply[0] === 'not_waiting') {
    const state = String(reply[1]);
    const decided = state === 'approved' || state === 'rejected' || state === 'timed_out';
    return {
      applied: false,
      why: decided ? 'already_decided' : 'not_waiting',
      state,
      by: str(reply[2]) || undefined,
      at: str(reply[3]) || undefined,
    };
  }
  const decision: GateDecision = outcome === 'approved' ? 'approve' : 'reject';
  rt.emit({
    type: 'gate.decided',
    runId,
    at,
    gateId,
    decision,
    by,
    timedOut: outcome === 'timed_out',
    ...(reason ? { reason } : {}),
  });
  rt.emit({
    type: 'task.state',
    runId,
    at,
    taskId: gateId,
    state: taskState,
    attempt: 0,
    ...(error ? { error } : {}),
  });
  await afterFinal(rt, info, [gateId], parseFinishReply(reply));
  return { applied: true, at };
}

/** Script replies are strings or numbers; anything else reads as empty. */
function str(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}
