import { setTimeout as sleep } from 'node:timers/promises';
import type { CompiledTask } from '../dag/workflow-definition.js';
import { AttemptSuperseded } from '../errors/attempt-superseded.js';
import type { HostStepContext, Json, TaskContext } from '../model/workflow.js';
import { readLedger, type LedgerDetail, type LedgerEntry, type LedgerState } from './ledger.js';
import { ledgerField } from './keys.js';
import { errorText, nowIso, type Runtime } from './runtime.js';
import type { RunInfo } from './run-info.js';
import { finishTask } from './scheduler.js';
import { withTimeout } from './with-timeout.js';
import { joinSignals } from './task-context.js';
import { settleInParallel } from '../rollout/settle-in-parallel.js';

export type RollbackTask = Extract<CompiledTask<unknown>, { kind: 'rollback' }>;

/**
 * Waits before each further try of the targets whose restore failed (a host frozen or down may answer
 * again); bounded, so a host that never answers ends the rollback as failed, and is reported so.
 */
export const ROLLBACK_RETRY_DELAYS_MS = [2_000, 10_000, 30_000] as const;

/**
 * Restores exactly the targets the ledger says the rollout may have changed, newest first: those it
 * changed, those whose step failed leaving a checkpoint (it could not undo its own work), and those whose
 * restore failed before. Each is recorded `rolled_back`, or `rollback_failed` with the error and tried
 * again (bounded) — so a redelivered job does not roll a target back twice, and no report can say a host
 * was restored when it was not. Every ledger write is fenced on this task's attempt.
 */
export async function runRollback(
  rt: Runtime,
  info: RunInfo,
  task: RollbackTask,
  attempt: number,
  ctx: TaskContext<unknown>,
): Promise<void> {
  const { runId } = info;
  const stage = [...info.def.tasks.values()].find((t) => t.kind === 'stage' && t.rolloutId === task.of);
  if (!stage || stage.kind !== 'stage') {
    await finishTask(rt, info, task.id, {
      from: ['running'],
      to: 'failed',
      attempt,
      error: `no rollout ${task.of} to roll back`,
    });
    return;
  }
  let pending = await rollbackCandidates(rt, runId, task.of);
  // A failure before any change (validation, pre-checks) leaves nothing to restore: say so, not "success".
  const note = pending.length === 0 ? 'nothing to roll back' : undefined;
  const rolledBack: string[] = [];
  let errors = new Map<string, string>();
  const halt = new AbortController();
  for (let round = 0; pending.length > 0; round++) {
    if (round > 0) {
      const delay = ROLLBACK_RETRY_DELAYS_MS[round - 1];
      if (delay === undefined) break;
      ctx.log.warn(
        { targets: pending.map((p) => p.target), delayMs: delay },
        'restore failed on some targets; trying them again',
      );
      await sleep(delay, undefined, { signal: ctx.signal });
    }
    errors = new Map();
    const failed: LedgerEntry[] = [];
    // Started newest first, `task.concurrency` at once; a superseded attempt starts no further restore.
    const results = await settleInParallel(pending, task.concurrency, (entry) =>
      restoreOne(rt, task, attempt, ctx, halt, entry),
    );
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected') throw r.reason;
      const entry = pending[i]!;
      if (r.value.state === 'rolled_back') rolledBack.push(entry.target);
      else {
        failed.push({ ...entry, ...r.value.detail });
        errors.set(entry.target, r.value.detail.rollbackError ?? 'restore failed');
      }
    }
    pending = failed;
  }
  if (errors.size > 0) {
    const list = [...errors].map(([target, error]) => `${target}: ${error}`);
    await finishTask(rt, info, task.id, {
      from: ['running'],
      to: 'failed',
      attempt,
      error: `rollback failed on ${list.join('; ')}`,
      output: { rolledBack, rollbackFailed: [...errors.keys()] },
    });
    return;
  }
  await finishTask(rt, info, task.id, {
    from: ['running'],
    to: 'success',
    attempt,
    output: { rolledBack, rollbackFailed: [] },
    note: note ?? `${rolledBack.length === 1 ? '1 target' : `${rolledBack.length} targets`} restored`,
  });
}

/**
 * Restores one target with the step's `rollback` and records the outcome, fenced on the task's attempt.
 * A superseded attempt (its job's lease lost, or the fence refused) aborts `halt`, so the restores not yet
 * started in this attempt never start.
 */
async function restoreOne(
  rt: Runtime,
  task: RollbackTask,
  attempt: number,
  ctx: TaskContext<unknown>,
  halt: AbortController,
  entry: LedgerEntry,
): Promise<{ state: LedgerState; detail: LedgerDetail }> {
  const superseded = (): AttemptSuperseded | undefined => {
    const reason: unknown = ctx.signal.aborted ? ctx.signal.reason : halt.signal.reason;
    return reason instanceof AttemptSuperseded ? reason : undefined;
  };
  const stopped = superseded();
  if (stopped) throw stopped;
  const step = task.rollout.step;
  const field = ledgerField(entry.taskId, entry.target);
  let state: LedgerState = 'rolled_back';
  let detail: LedgerDetail = { ...entry, rolledBackAt: nowIso() };
  delete detail.rollbackError;
  try {
    const hctx: HostStepContext<unknown> = {
      ...ctx,
      target: entry.target,
      host: rt.resolveTarget(entry.target),
      stage: { kind: entry.stage, index: entry.batchIndex },
      checkpoint: () => Promise.reject(new Error('a step records checkpoints in apply, not in rollback')),
    };
    if (step.rollback)
      await withTimeout(
        `${task.id}:${entry.target}`,
        step.timeoutMs ?? task.timeoutMs,
        (signal) =>
          step.rollback!({ ...hctx, signal }, entry.data as Json | undefined, entry.checkpoint as Json),
        joinSignals(ctx.signal, halt.signal),
      );
  } catch (err) {
    const stop = superseded();
    if (stop) throw stop;
    state = 'rollback_failed';
    detail = {
      ...entry,
      rollbackError: errorText(err),
      rollbackAttempts: (entry.rollbackAttempts ?? 0) + 1,
    };
    delete detail.rolledBackAt;
  }
  const mark = await rt.scripts.run<number>(
    'marshalRollbackMark',
    [
      rt.keys.tasks(ctx.runId),
      rt.keys.ledger(ctx.runId),
      rt.keys.notable(ctx.runId),
      rt.keys.hostCounts(ctx.runId),
    ],
    [task.id, attempt, field, state, JSON.stringify(ledgerDetail(detail))],
  );
  if (mark === -1) {
    const err = new AttemptSuperseded(`task ${task.id}`, 'a newer attempt holds the rollback');
    halt.abort(err);
    throw err;
  }
  return { state, detail };
}

/** The entry's detail as the ledger stores it (without the fields readLedger adds). */
function ledgerDetail(e: LedgerDetail & Partial<LedgerEntry>): LedgerDetail {
  const { taskId: _t, target: _g, state: _s, checkpoint: _c, ...detail } = e;
  return detail;
}

/**
 * What the rollout may have changed, newest change first: changed targets (in the order the ledger's
 * changed list gives, reversed), then failed ones whose step left a checkpoint, then earlier failed restores.
 */
export async function rollbackCandidates(
  rt: Runtime,
  runId: string,
  rolloutId: string,
): Promise<LedgerEntry[]> {
  const stages = new Set([`${rolloutId}.batches`, `${rolloutId}.canary`]);
  const entries = (await readLedger(rt.redis, rt.keys, runId)).filter((e) => stages.has(e.taskId));
  const changed = (await rt.redis.lrange(rt.keys.changed(runId, rolloutId), 0, -1)).reverse();
  const out: LedgerEntry[] = [];
  const seen = new Set<string>();
  const take = (e: LedgerEntry): void => {
    if (seen.has(e.target)) return;
    seen.add(e.target);
    out.push(e);
  };
  for (const target of changed) {
    // The batch's entry wins over the canary's: a target is in one stage only, but be exact.
    const e =
      entries.find((x) => x.target === target && x.taskId.endsWith('.batches') && x.state === 'applied') ??
      entries.find((x) => x.target === target && x.state === 'applied');
    if (e?.changed) take(e);
  }
  for (const e of entries) if (e.state === 'failed' && e.checkpoint !== undefined) take(e);
  for (const e of entries) if (e.state === 'rollback_failed') take(e);
  return out;
}
