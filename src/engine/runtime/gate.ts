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
  // Downstream of a choice reads its default option then (nothing, without one): nobody was asked.
  if (info.dryRun) {
    await finishTask(rt, info, task.id, {
      from: ['running'],
      to: 'success',
      attempt,
      output: task.gate.default,
    });
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
  let timeoutMs = task.gate.timeoutMs;
  try {
    if (task.gate.timeoutFor) {
      const wanted = await task.gate.timeoutFor(ctx);
      // The run's own time to decide never outlasts the gate's bound, and a gate always ends.
      if (Number.isFinite(wanted) && wanted > 0) timeoutMs = Math.min(wanted, timeoutMs);
    }
  } catch (err) {
    await finishTask(rt, info, task.id, {
      from: ['running'],
      to: 'failed',
      attempt,
      error: `could not work out the gate's time to decide: ${errorText(err)}`,
    });
    return;
  }
  const expiresAt = new Date(Date.now() + timeoutMs).toISOString();
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
      delayMs: timeoutMs,
    },
  ]);
  rt.emit({ type: 'task.state', runId, at: nowIso(), taskId: task.id, state: 'waiting', attempt });
  const { gate } = task;
  rt.emit({
    type: 'gate.waiting',
    runId,
    at: nowIso(),
    gateId: task.id,
    evidence,
    expiresAt,
    requester: info.requester,
    kind: gate.kind,
    ...(gate.prompt ? { prompt: gate.prompt } : {}),
    options: [...gate.options],
    ...(gate.default ? { defaultOption: gate.default } : {}),
  });
}

export type GateOutcome = 'approved' | 'rejected' | 'timed_out';

export type GateDecideResult =
  | { applied: true; at: string }
  | { applied: false; why: 'awaiting_quorum'; approvals: number; quorum: number; repeated: boolean }
  | {
      applied: false;
      why: 'finished' | 'not_waiting' | 'already_decided';
      state?: string;
      by?: string;
      at?: string;
      option?: string;
    };

/**
 * Decides a waiting gate exactly once. Approve (with the picked option, for a choice gate) lets the
 * downstream go on and records the gate's output; reject fails the gate; a timeout fails it closed, or
 * takes a choice gate's default option. The caller has checked `option` against the gate's options.
 */
export async function decideGate(
  rt: Runtime,
  info: RunInfo,
  gateId: string,
  outcome: GateOutcome,
  by: string,
  reason: string | undefined,
  option?: string,
): Promise<GateDecideResult> {
  const at = nowIso();
  const { runId } = info;
  const task = info.def.tasks.get(gateId);
  const fallback = task?.kind === 'gate' && outcome === 'timed_out' ? task.gate.default : undefined;
  const chosen = outcome === 'approved' ? option : fallback;
  const passes = outcome === 'approved' || chosen !== undefined;
  const taskState = passes ? 'success' : 'failed';
  const error = passes
    ? ''
    : new GateClosed(gateId, outcome === 'timed_out' ? 'not decided in time (fails closed)' : 'rejected', by)
        .message;
  // What downstream reads through the gate's handle: the option's id, or who approved.
  const output: Json | undefined = !passes ? undefined : chosen !== undefined ? chosen : { by, at };
  const reply = await rt.scripts.run<unknown[]>(
    'marshalGateDecide',
    [
      rt.keys.run(runId),
      rt.keys.tasks(runId),
      rt.keys.gates(runId),
      rt.keys.outputs(runId),
      rt.keys.gateApprovers(runId, gateId),
    ],
    [
      gateId,
      outcome,
      by,
      reason ?? '',
      at,
      taskState,
      error,
      output === undefined ? '' : JSON.stringify(output),
      chosen ?? '',
      task?.kind === 'gate' ? task.gate.quorum : 1,
    ],
  );
  if (reply[0] === 'partial') {
    const quorum = task?.kind === 'gate' ? task.gate.quorum : 1;
    return {
      applied: false,
      why: 'awaiting_quorum',
      approvals: Number(reply[1]),
      quorum,
      repeated: reply[2] !== 1,
    };
  }
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
      option: str(reply[4]) || undefined,
    };
  }
  const decision: GateDecision = passes ? 'approve' : 'reject';
  rt.emit({
    type: 'gate.decided',
    runId,
    at,
    gateId,
    decision,
    by,
    timedOut: outcome === 'timed_out',
    ...(reason ? { reason } : {}),
    ...(chosen !== undefined ? { option: chosen } : {}),
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
