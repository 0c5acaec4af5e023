import type { CompiledTask } from '../dag/workflow-definition.js';
import { UnknownRun } from '../errors/unknown-run.js';
import { FINAL_RUN_STATES, type RunState, type TaskState } from '../model/task-state.js';
import { pruneRunIndex } from './retention.js';
import { giveUpOnJob } from './give-up.js';
import { jobId, type JobSpec } from './jobs.js';
import { jobStatuses } from './job-status.js';
import { ledgerField } from './keys.js';
import { loadPlan, stageBatches } from './rollout-plan.js';
import { batchDone, batchJob, targetJob, type StageTask } from './rollout-stage.js';
import type { RunInfo } from './run-info.js';
import type { Runtime } from './runtime.js';
import { enqueue, evaluatePending, taskJob, type RunFlags } from './scheduler.js';

/**
 * The reconciler: the run state in Redis is the truth, BullMQ jobs are how work gets done. A state
 * change and the enqueue of the job that follows it are two commands, so a process that dies (or a
 * Redis error) between them leaves work nobody will do: a target taken off the batch's queue with no
 * job, a task `queued` with no job, a pending task whose upstream ended but was never judged. And
 * BullMQ may give up on a job for good (too many stalls, attempts used up). Every so often, for each
 * active run, this derives the jobs its state says must exist, adds the missing ones (ids are fixed,
 * so a job that exists is not added twice, and every job is idempotent, so one that already ran does
 * nothing), ends as failed the work whose job BullMQ gave up on, and judges pending tasks again.
 */
export async function reconcileRuns(rt: Runtime): Promise<void> {
  for (const runId of await rt.redis.smembers(rt.keys.activeRuns)) {
    try {
      await reconcileRun(rt, runId);
    } catch (err) {
      rt.logger.warn({ err, runId }, 'could not reconcile a run; will try again');
    }
  }
  await pruneRunIndex(rt).catch((err: unknown) =>
    rt.logger.warn({ err }, 'could not prune expired runs from the run index; will try again'),
  );
}

/** A job the run's state says must exist, and what to do if it does not. */
interface Expected {
  spec: JobSpec;
  /** Default: enqueue `spec`. */
  onMissing?: () => Promise<void>;
}

export async function reconcileRun(rt: Runtime, runId: string): Promise<void> {
  const replies =
    (await rt.redis.pipeline().hgetall(rt.keys.run(runId)).hgetall(rt.keys.tasks(runId)).exec()) ?? [];
  for (const [err] of replies) if (err) throw err;
  const run = (replies[0]?.[1] ?? {}) as Record<string, string>;
  const tasks = (replies[1]?.[1] ?? {}) as Record<string, string>;
  if (!run.state || FINAL_RUN_STATES.has(run.state as RunState)) {
    await rt.redis.srem(rt.keys.activeRuns, runId);
    return;
  }
  let info: RunInfo;
  try {
    info = await rt.runs.get(runId);
  } catch (err) {
    if (err instanceof UnknownRun) await rt.redis.srem(rt.keys.activeRuns, runId);
    throw err;
  }
  const flags: RunFlags = { abort: run.abort === '1', abortRollback: run.abortRollback === '1' };
  const states = new Map<string, TaskState>(info.def.order.map((id) => [id, tasks[id] as TaskState]));
  const expected: Expected[] = [];
  const holders: { taskId: string; task: CompiledTask<unknown>; jobId: string }[] = [];
  for (const id of info.def.order) {
    const task = info.def.tasks.get(id) as CompiledTask<unknown>;
    const attempt = Number(tasks[`${id}#a`] ?? 0);
    switch (states.get(id)) {
      case 'queued':
      case 'up_for_retry':
        expected.push({ spec: taskJob(runId, id, attempt + 1) });
        break;
      case 'running':
        holders.push({ taskId: id, task, jobId: tasks[`${id}#j`] ?? taskJob(runId, id, attempt).id });
        break;
      case 'waiting':
        if (task.kind === 'gate') expected.push(await gateTimeout(rt, runId, id));
        break;
      default:
        break;
    }
  }
  // A running task's own job does its work; once that job is gone, a stage's work lives in its targets' jobs.
  const holderStatus = await jobStatuses(
    rt,
    holders.map((h) => h.jobId),
  );
  for (const h of holders) {
    const status = holderStatus.get(h.jobId);
    if (status?.state === 'live') continue;
    if (status?.state === 'failed') {
      await giveUpOnJob(rt, { id: h.jobId, data: taskJob(runId, h.taskId).data, ...status });
      continue;
    }
    if (h.task.kind === 'stage') expected.push(...(await stageJobs(rt, info, h.task, run.abort === '1')));
    else expected.push({ spec: { id: h.jobId, data: taskJob(runId, h.taskId).data } });
  }
  const statuses = await jobStatuses(
    rt,
    expected.map((e) => e.spec.id),
  );
  for (const e of expected) {
    const status = statuses.get(e.spec.id);
    if (status?.state === 'live') continue;
    if (status?.state === 'failed') {
      await giveUpOnJob(rt, { id: e.spec.id, data: e.spec.data, ...status });
      continue;
    }
    rt.logger.warn({ runId, jobId: e.spec.id }, 'a job the run needs was missing; recreating it');
    await (e.onMissing ? e.onMissing() : enqueue(rt, [e.spec]));
  }
  await evaluatePending(rt, info, states, flags);
}

/** A waiting gate's timeout job, due when the gate expires. */
async function gateTimeout(rt: Runtime, runId: string, gateId: string): Promise<Expected> {
  const expiresAt = await rt.redis.hget(rt.keys.gates(runId), `${gateId}#expiresAt`);
  const delayMs = expiresAt ? Math.max(0, Date.parse(expiresAt) - Date.now()) : 0;
  return {
    spec: {
      id: jobId(runId, gateId, 'timeout'),
      data: { kind: 'gate_timeout', runId, taskId: gateId },
      delayMs,
    },
  };
}

/**
 * The jobs a running stage needs: one per target of its current batch that was handed out (taken off
 * the batch's queue) and not yet released; or, once the batch is done, whatever comes after it.
 */
async function stageJobs(rt: Runtime, info: RunInfo, task: StageTask, aborted: boolean): Promise<Expected[]> {
  const { runId } = info;
  const s = await rt.redis.hgetall(rt.keys.stage(runId, task.id));
  if (s.batch === undefined) {
    // No batch started yet: the first batch waits out the canary's soak in a delayed job.
    return [{ spec: batchJob(runId, task.id, 0, 0) }];
  }
  const batch = Number(s.batch);
  if (s[`d${batch}`]) {
    // The batch is done: the stage ends or the next batch starts (possibly after a soak, in a job).
    const next = batchJob(runId, task.id, batch + 1, 0);
    return [{ spec: next, onMissing: () => batchDone(rt, info, task, batch, s.halted ?? '', aborted) }];
  }
  const plan = await loadPlan(rt, info, task.rolloutId);
  const targets = stageBatches(plan, task.stage)[batch] ?? [];
  const notHandedOut = new Set(await rt.redis.lrange(rt.keys.stageQueue(runId, task.id), 0, -1));
  const handedOut = targets.filter((t) => !notHandedOut.has(t));
  if (handedOut.length === 0) return [];
  const marks = await rt.redis.hmget(
    rt.keys.ledger(runId),
    ...handedOut.flatMap((t) => [`${ledgerField(task.id, t)}#r`, `${ledgerField(task.id, t)}#h`]),
  );
  const open = handedOut
    .map((target, i) => ({ target, released: marks[2 * i], holder: marks[2 * i + 1] ?? undefined }))
    .filter((t) => !t.released);
  // A target handed to a job going on from its own host is that job's while the job lives; if BullMQ gave
  // up on the job, the target's work ends as the job's would; once the job is gone, the target gets its own.
  const holders = await jobStatuses(
    rt,
    open.flatMap((t) => (t.holder ? [t.holder] : [])),
  );
  return open.flatMap(({ target, holder }): Expected[] => {
    const own = targetJob(runId, task.id, target, batch);
    const status = holder ? holders.get(holder) : undefined;
    if (status?.state === 'live') return [];
    if (status?.state === 'failed')
      return [{ spec: { id: holder!, data: own.data }, onMissing: () => enqueue(rt, [own]) }];
    return [{ spec: own }];
  });
}
