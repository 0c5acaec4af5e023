import { awaitReplicas } from './replica-ack.js';
import { budgetVerdict } from '../rollout/failure-budget.js';
import { backoffDelay, shouldRetry } from '../retry/backoff.js';
import { AttemptSuperseded } from '../errors/attempt-superseded.js';
import { FailureBudgetExceeded } from '../errors/failure-budget-exceeded.js';
import type { Host } from '../../hosts/host.js';
import type { HostStepContext, HostStepOutcome, Json } from '../model/workflow.js';
import { ledgerField } from './keys.js';
import type { LedgerDetail, LedgerState } from './ledger.js';
import { loadPlan, type StoredPlan } from './rollout-plan.js';
import { batchDone, emitProgress, targetJob, type StageTask } from './rollout-stage.js';
import type { RunInfo } from './run-info.js';
import { errorText, nowIso, type Runtime } from './runtime.js';
import { enqueue } from './scheduler.js';
import { buildContext, joinSignals } from './task-context.js';
import { withTimeout } from './with-timeout.js';

/** The target a host job goes on with after its own: the one its release handed out to it. */
export interface Continuation {
  target: string;
  batch: number;
}

/**
 * One target's step in one stage, in a host job (so many workers share a run's hosts). The ledger
 * decides what to do: a fresh target is applied (or planned, in a dry run); one left `started` by a
 * worker that died is reconciled with `step.check`; a recorded one is never run again.
 *
 * `holder`, asked when the target ends: the job's id if the job may go on, and the release then hands
 * the first next target to this job instead of enqueuing a job for it; the caller goes on with the target
 * returned, so a host step costs no queue round trip of its own. The ledger names the holder, so the
 * reconciler knows the target is in hand.
 */
export async function runTargetJob(
  rt: Runtime,
  info: RunInfo,
  task: StageTask,
  target: string,
  batch: number,
  jobSignal?: AbortSignal,
  holder: () => string | undefined = () => undefined,
): Promise<Continuation | undefined> {
  const { runId } = info;
  const field = ledgerField(task.id, target);
  const stageKind = task.stage === 'canary' ? 'canary' : 'batch';
  const stageIndex = task.stage === 'canary' ? 0 : batch + 1;
  const startedAt = nowIso();
  const fresh: LedgerDetail = { stage: stageKind, batchIndex: stageIndex, startedAt, changed: false };
  const begin = await rt.scripts.run<string[]>(
    'marshalTargetBegin',
    [rt.keys.run(runId), rt.keys.stage(runId, task.id), rt.keys.ledger(runId)],
    [field, JSON.stringify(fresh)],
  );
  const plan = await loadPlan(rt, info, task.rolloutId);
  if (begin[0] === 'done') {
    if (begin[1] !== '1') await releaseSlot(rt, info, task, plan, field, undefined);
    return undefined;
  }
  /** Records the target's end, finished now, as `token`'s attempt (`holder` asked at this moment). */
  const recordEnd = (state: LedgerState, detail: LedgerDetail, token: string) =>
    recordTarget(
      rt,
      info,
      task,
      plan,
      target,
      field,
      state,
      { ...detail, finishedAt: nowIso() },
      token,
      holder(),
    );
  /** Ends the target without running its step (a stale token records nothing and goes on with nothing). */
  const endUnrun = async (state: 'skipped' | 'failed', error: string, token: string) => {
    const end = await recordEnd(state, { ...fresh, error }, token);
    return end === false ? undefined : end;
  };
  if (begin[0] === 'halted') return endUnrun('skipped', 'not started: rollout halted or run aborted', '');
  // The `started` record must survive a failover before the step may touch the host.
  await awaitReplicas(rt, `host ${target} (${task.id})`);
  const reconcile = begin[0] === 'reconcile';
  const token = String((reconcile ? begin[2] : begin[1]) ?? '');
  const checkpoint = reconcile && begin[3] ? (JSON.parse(begin[3]) as Json) : undefined;
  const t0 = Date.now();
  const step = task.rollout.step;
  // Aborted when the job's lease is lost (jobSignal) or a fenced write finds a newer attempt (attempt).
  const attempt = new AbortController();
  const signal = joinSignals(jobSignal, attempt.signal);
  const work = `host ${target} (${task.id})`;
  const superseded = (why: string): AttemptSuperseded => {
    const err = new AttemptSuperseded(work, why);
    attempt.abort(err);
    return err;
  };
  let host: Host;
  try {
    host = rt.resolveTarget(target);
  } catch (err) {
    return endUnrun('failed', `not in the inventory: ${errorText(err)}`, token);
  }
  const ctx: HostStepContext<unknown> = {
    ...buildContext(rt, info, {
      taskId: task.id,
      attempt: 1,
      signal,
      outputs: await upstreamOutputs(rt, runId, task.id),
      changed: new Map(),
      fence: { kind: 'target', field, token },
    }),
    target,
    host,
    stage: { kind: stageKind, index: stageIndex },
    async checkpoint(data) {
      if (signal.aborted && signal.reason instanceof AttemptSuperseded) throw signal.reason;
      const ok = await rt.scripts.run<number>(
        'marshalTargetCheckpoint',
        [rt.keys.ledger(runId)],
        [field, token, data === null ? '' : JSON.stringify(data)],
      );
      if (ok !== 1) throw superseded('a newer attempt holds the target');
      await awaitReplicas(rt, `checkpoint of host ${target} (${task.id})`);
    },
  };
  const timeoutMs = step.timeoutMs ?? task.timeoutMs;
  let state: LedgerState;
  let detail: LedgerDetail;
  try {
    const verdict =
      reconcile && step.check && !info.dryRun
        ? await withTimeout(
            `${task.id}:${target}:check`,
            timeoutMs,
            (s) => step.check!({ ...ctx, signal: s }, checkpoint),
            signal,
          )
        : undefined;
    if (verdict === 'applied') {
      state = 'applied';
      detail = { ...fresh, changed: true, reconciled: true, summary: 'found applied on reconciliation' };
    } else if (info.dryRun) {
      const summary = step.plan
        ? await withTimeout(task.id, timeoutMs, (s) => step.plan!({ ...ctx, signal: s }), signal)
        : `would run ${step.name}`;
      state = 'planned';
      detail = { ...fresh, summary };
    } else {
      const outcome = await applyWithRetry(task, ctx);
      state = 'applied';
      detail = {
        ...fresh,
        changed: outcome?.changed ?? true,
        summary: outcome?.summary,
        data: outcome?.data,
      };
    }
  } catch (err) {
    state = 'failed';
    detail = { ...fresh, error: errorText(err) };
  }
  if (signal.aborted && signal.reason instanceof AttemptSuperseded) {
    // Whatever it found, it is not this attempt's to record: the attempt that holds the target reconciles it.
    ctx.log.warn(
      { target, reason: errorText(signal.reason) },
      'superseded attempt stops; it records nothing',
    );
    throw signal.reason;
  }
  const end = await recordEnd(state, { ...detail, durationMs: Date.now() - t0 }, token);
  if (end === false) {
    ctx.log.warn({ target }, 'superseded attempt: a newer attempt holds the target; its result is dropped');
    throw superseded('a newer attempt holds the target');
  }
  return end;
}

async function applyWithRetry(task: StageTask, ctx: HostStepContext<unknown>): Promise<HostStepOutcome> {
  const step = task.rollout.step;
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTimeout(
        `${task.id}:${ctx.target}`,
        step.timeoutMs ?? task.timeoutMs,
        (signal) => step.apply({ ...ctx, attempt, signal }),
        ctx.signal,
      );
    } catch (err) {
      if (ctx.signal.aborted || !step.retry || !shouldRetry(err, attempt, step.retry)) throw err;
      await new Promise((r) => setTimeout(r, backoffDelay(step.retry!, attempt)));
    }
  }
}

/**
 * Records a target's end in the ledger (once) and frees its slot in the batch. `token` fences the write
 * to the attempt that holds the target; without one (the engine ending the work of a job BullMQ gave up
 * on) the token moves on, so a lost attempt can record nothing after it. Returns false when the token
 * was stale: nothing was recorded or released. Else the target handed out to `holder` to go on with, if any.
 */
export async function recordTarget(
  rt: Runtime,
  info: RunInfo,
  task: StageTask,
  plan: StoredPlan,
  target: string,
  field: string,
  state: LedgerState,
  detail: LedgerDetail,
  token = '',
  holder = '',
): Promise<Continuation | undefined | false> {
  const { runId } = info;
  const reply = await rt.scripts.run<(string | number)[]>(
    'marshalTargetFinish',
    [
      rt.keys.run(runId),
      rt.keys.stage(runId, task.id),
      rt.keys.stageQueue(runId, task.id),
      rt.keys.ledger(runId),
      rt.keys.changed(runId, task.rolloutId),
      rt.keys.rollout(runId, task.rolloutId),
      rt.keys.hostCounts(runId),
      rt.keys.notable(runId),
    ],
    [
      field,
      state,
      JSON.stringify(detail),
      state === 'applied' && detail.changed ? '1' : '0',
      target,
      token,
      plan.maxFailPercentPerBatch,
      plan.maxFailPercentTotal,
      holder,
    ],
  );
  if (reply[0] === -1) return false;
  const counters = reply.slice(0, COUNTERS).map(Number);
  if (state !== 'skipped' && counters[0] === 1) {
    rt.emit({
      type: 'target.finished',
      runId,
      at: nowIso(),
      rolloutId: task.rolloutId,
      result: {
        target,
        ok: state !== 'failed',
        changed: detail.changed,
        durationMs: detail.durationMs ?? 0,
        stage: detail.stage,
        batchIndex: detail.batchIndex,
        ...(detail.summary ? { summary: detail.summary } : {}),
        ...(detail.error ? { error: detail.error } : {}),
      },
    });
  }
  const released = reply.slice(COUNTERS);
  // The budget looks breached: the slow path words the reason and halts (or finds it was not).
  if (released[0] === 'judge') {
    await releaseSlot(rt, info, task, plan, field, counters);
    return undefined;
  }
  return afterRelease(rt, info, task, plan, counters, released, holder !== '');
}

/** Length of the counters at the head of targetFinish's reply. */
const COUNTERS = 10;

/**
 * Frees the finished target's slot: judges the failure budget on the counters, then (atomically, if
 * no other target finished in between) halts or starts the next pending target.
 */
async function releaseSlot(
  rt: Runtime,
  info: RunInfo,
  task: StageTask,
  plan: StoredPlan,
  field: string,
  counters: number[] | undefined,
): Promise<void> {
  const { runId } = info;
  let c = counters ?? (await readCounters(rt, info, task));
  for (;;) {
    const [, ver = 0, batchTotal = 0, , batchFailed = 0, , runTotal = 0, , runFailed = 0] = c;
    const verdict = budgetVerdict({
      batchTotal,
      batchFailed,
      runTotal,
      runFailed,
      maxFailPercentPerBatch: plan.maxFailPercentPerBatch,
      maxFailPercentTotal: plan.maxFailPercentTotal,
    });
    const reason = verdict.exceeded
      ? new FailureBudgetExceeded(
          task.rolloutId,
          verdict.scope,
          verdict.failed,
          verdict.total,
          verdict.limitPercent,
        ).message
      : '';
    const reply = await rt.scripts.run<(string | number)[]>(
      'marshalStageRelease',
      [
        rt.keys.run(runId),
        rt.keys.stage(runId, task.id),
        rt.keys.stageQueue(runId, task.id),
        rt.keys.rollout(runId, task.rolloutId),
        rt.keys.ledger(runId),
      ],
      [ver, verdict.exceeded ? '1' : '0', reason, field],
    );
    if (reply[0] === 'stale') {
      c = [0, ...reply.slice(1).map(Number)];
      continue;
    }
    await afterRelease(rt, info, task, plan, c, reply);
    return;
  }
}

/**
 * What a release leads to: progress, and the next targets started (`ok`, more than one when a
 * failure-domain cap had held targets back that may start now) or the batch's end (`batch_done`).
 * `held`: the release handed the first next target to the calling job, which goes on with it.
 */
async function afterRelease(
  rt: Runtime,
  info: RunInfo,
  task: StageTask,
  plan: StoredPlan,
  counters: number[],
  reply: (string | number)[],
  held = false,
): Promise<Continuation | undefined> {
  const [, , batchTotal = 0, batchDone_ = 0, batchFailed = 0, inFlight = 0, , , , batch = 0] = counters;
  if (reply[0] === 'ok') {
    const next = reply.slice(1).map(String);
    emitProgress(
      rt,
      info,
      task,
      plan,
      { batch, total: batchTotal, done: batchDone_, failed: batchFailed, inFlight: inFlight + next.length },
      true,
    );
    const own = held ? next.slice(1) : next;
    if (own.length > 0)
      await enqueue(
        rt,
        own.map((t, i) =>
          targetJob(info.runId, task.id, t, batch, inFlight + next.length - own.length + i + 1),
        ),
      );
    return held && next[0] !== undefined ? { target: next[0], batch } : undefined;
  }
  emitProgress(rt, info, task, plan, {
    batch,
    total: batchTotal,
    done: batchDone_,
    failed: batchFailed,
    inFlight: 0,
  });
  await batchDone(rt, info, task, batch, String(reply[1] ?? ''), reply[2] === '1');
  return undefined;
}

async function readCounters(rt: Runtime, info: RunInfo, task: StageTask): Promise<number[]> {
  const s = await rt.redis.hmget(
    rt.keys.stage(info.runId, task.id),
    'ver',
    'batchTotal',
    'batchDone',
    'batchFailed',
    'inFlight',
    'batch',
  );
  const r = await rt.redis.hmget(rt.keys.rollout(info.runId, task.rolloutId), 'total', 'done', 'failed');
  const n = (v: string | null | undefined) => Number(v ?? 0);
  return [0, n(s[0]), n(s[1]), n(s[2]), n(s[3]), n(s[4]), n(r[0]), n(r[1]), n(r[2]), n(s[5])];
}

/**
 * The outputs a stage's host steps may read. Every task a stage depends on finished before the stage
 * started, so its outputs no longer change: each process reads them once per stage, not once per host.
 */
const outputsCache = new Map<string, Promise<Record<string, string>>>();
const OUTPUTS_CACHE_SIZE = 256;

function upstreamOutputs(rt: Runtime, runId: string, stageId: string): Promise<Record<string, string>> {
  const key = `${rt.keys.prefix}|${runId}|${stageId}`;
  let cached = outputsCache.get(key);
  if (!cached) {
    cached = rt.redis.hgetall(rt.keys.outputs(runId));
    cached.catch(() => outputsCache.delete(key));
    outputsCache.set(key, cached);
    // Oldest first in a Map: drop the oldest stage once the cache is full.
    if (outputsCache.size > OUTPUTS_CACHE_SIZE) outputsCache.delete(outputsCache.keys().next().value!);
  }
  return cached;
}
