import { removeGateTimeouts } from './retention.js';
import type { CompiledTask } from '../dag/workflow-definition.js';
import type { GateDecision } from '../model/run.js';
import type { Json, TaskContext } from '../model/workflow.js';
import { planHash, type PlanFacts } from './plan-hash.js';
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
  let plan: string;
  let timeoutMs: number;
  let quorum: number;
  try {
    timeoutMs = await gateTimeoutMs(task, ctx);
    quorum = effectiveQuorum(rt, info, task);
    if (task.gate.evidence)
      evidence = await withTimeout(task.id, evidenceTimeoutMs(task), (signal) =>
        task.gate.evidence!({ ...ctx, signal }),
      );
    plan = await currentPlanHash(rt, info, task, ctx);
  } catch (err) {
    await finishTask(rt, info, task.id, {
      from: ['running'],
      to: 'failed',
      attempt,
      error: `could not open the gate: ${errorText(err)}`,
    });
    return;
  }
  const expiresAt = new Date(Date.now() + timeoutMs).toISOString();
  const { runId } = info;
  const opened = await rt.scripts.run<number>(
    'marshalGateOpen',
    [rt.keys.tasks(runId), rt.keys.gates(runId)],
    [task.id, attempt, JSON.stringify(evidence), expiresAt, plan, quorum],
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
  emitWaiting(rt, info, task, { evidence, expiresAt, planHash: plan, quorum });
}

/** Asks for a decision: the card (Slack) or the prompt (terminal) is drawn from this. */
function emitWaiting(
  rt: Runtime,
  info: RunInfo,
  task: GateTask,
  o: { evidence: Json; expiresAt: string; planHash: string; quorum: number; replaces?: string },
): void {
  const { gate } = task;
  rt.emit({
    type: 'gate.waiting',
    runId: info.runId,
    at: nowIso(),
    gateId: task.id,
    evidence: o.evidence,
    expiresAt: o.expiresAt,
    requester: info.requester,
    kind: gate.kind,
    ...(gate.prompt ? { prompt: gate.prompt } : {}),
    options: [...gate.options],
    ...(gate.default ? { defaultOption: gate.default } : {}),
    planHash: o.planHash,
    ...(o.quorum > 1 ? { quorum: o.quorum } : {}),
    ...(o.replaces ? { replaces: o.replaces } : {}),
  });
}

/**
 * The gate's time to decide: `timeoutFor` (this run's, e.g. from an `--approval-timeout` param), at most
 * `timeoutMs`, which stays the gate's bound; a gate always ends.
 */
async function gateTimeoutMs(task: GateTask, ctx: TaskContext<unknown>): Promise<number> {
  let timeoutMs = task.gate.timeoutMs;
  if (task.gate.timeoutFor) {
    const wanted = await task.gate.timeoutFor(ctx);
    if (Number.isFinite(wanted) && wanted > 0) timeoutMs = Math.min(wanted, timeoutMs);
  }
  return timeoutMs;
}

/** Approvals needed: the workflow's gate and the access config each may ask; the larger wins. Choices take one. */
function effectiveQuorum(rt: Runtime, info: RunInfo, task: GateTask): number {
  if (task.gate.kind !== 'approval') return 1;
  return Math.max(task.gate.quorum, rt.configuredQuorum(info.def.name));
}

/** The hash of what approving this gate would let happen now (plan-hash.ts). */
export async function currentPlanHash(
  rt: Runtime,
  info: RunInfo,
  task: GateTask,
  ctx: TaskContext<unknown>,
): Promise<string> {
  let stages: PlanFacts['stages'];
  if (task.rolloutId) {
    const stored = await rt.redis.hget(rt.keys.rollout(info.runId, task.rolloutId), 'plan');
    if (stored) {
      const p = JSON.parse(stored) as { canary: string[]; batches: string[][] };
      stages = { canary: p.canary, batches: p.batches };
    }
  }
  const identity = task.gate.plan
    ? await withTimeout(task.id, evidenceTimeoutMs(task), (signal) => task.gate.plan!({ ...ctx, signal }))
    : undefined;
  return planHash({ workflow: info.def.name, gateId: task.id, params: info.params, stages, identity });
}

/**
 * Before a decision: whether the plan is still the one the card showed. When it changed (the workflow's
 * `plan` now reads another identity), the gate is asked again: new plan hash, evidence gathered anew,
 * approvals so far dropped (they were for the other plan), and a new `gate.waiting` replaces the card.
 * Returns the hash now in force, and whether it replaced the recorded one.
 */
export async function recheckPlan(
  rt: Runtime,
  info: RunInfo,
  task: GateTask,
  ctx: TaskContext<unknown>,
): Promise<{ planHash: string; changed: boolean }> {
  const { runId } = info;
  const recorded = (await rt.redis.hget(rt.keys.gates(runId), `${task.id}#plan`)) ?? '';
  if (!task.gate.plan) return { planHash: recorded, changed: false };
  const now = await currentPlanHash(rt, info, task, ctx);
  if (now === recorded) return { planHash: now, changed: false };
  let evidence: Json = null;
  if (task.gate.evidence)
    evidence = await withTimeout(task.id, evidenceTimeoutMs(task), (signal) =>
      task.gate.evidence!({ ...ctx, signal }),
    );
  const replanned = await rt.scripts.run<number>(
    'marshalGateReplan',
    [rt.keys.gates(runId), rt.keys.gateApprovers(runId, task.id)],
    [task.id, recorded, now, JSON.stringify(evidence)],
  );
  if (replanned !== 1) return { planHash: recorded, changed: false };
  const g = await rt.redis.hmget(rt.keys.gates(runId), `${task.id}#expiresAt`, `${task.id}#quorum`);
  emitWaiting(rt, info, task, {
    evidence,
    expiresAt: g[0] ?? nowIso(),
    planHash: now,
    quorum: Number(g[1] ?? 1),
    ...(recorded ? { replaces: recorded } : {}),
  });
  return { planHash: now, changed: true };
}

export type GateOutcome = 'approved' | 'rejected' | 'timed_out';

export type GateDecideResult =
  | { applied: true; at: string }
  | {
      applied: false;
      why: 'awaiting_quorum';
      approvals: number;
      quorum: number;
      repeated: boolean;
      approvers: string[];
    }
  | { applied: false; why: 'stale_plan'; planHash: string }
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
  /** The plan hash the decider was shown; a decision on another plan is refused (`stale_plan`). */
  expectedPlan?: string,
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
      outcome === 'timed_out' ? '' : (expectedPlan ?? ''),
    ],
  );
  if (reply[0] === 'stale_plan') return { applied: false, why: 'stale_plan', planHash: str(reply[1]) };
  if (reply[0] === 'partial') {
    const approvers = JSON.parse(str(reply[4]) || '[]') as string[];
    const quorum = Number(reply[3]);
    if (reply[2] === 1)
      rt.emit({
        type: 'gate.vote',
        runId,
        at,
        gateId,
        by,
        approvers,
        quorum,
        ...(expectedPlan ? { planHash: expectedPlan } : {}),
      });
    return {
      applied: false,
      why: 'awaiting_quorum',
      approvals: Number(reply[1]),
      quorum,
      repeated: reply[2] !== 1,
      approvers,
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
  // Decided by a person: the gate's timeout job has nothing left to do (retention: no job left behind).
  if (outcome !== 'timed_out') await removeGateTimeouts(rt, info, gateId);
  return { applied: true, at };
}

/** Script replies are strings or numbers; anything else reads as empty. */
function str(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

/** Gathering evidence or the plan may take the gate's time, but never more than a quarter of an hour. */
function evidenceTimeoutMs(task: GateTask): number {
  return Math.min(task.timeoutMs ?? 60_000, 15 * 60_000);
}
