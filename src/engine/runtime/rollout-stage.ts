import type { CompiledTask } from '../dag/workflow-definition.js';
import type { StageProgress } from '../model/run.js';
import type { TaskContext } from '../model/workflow.js';
import { jobId, type JobSpec } from './jobs.js';
import { ensurePlan, loadPlan, stageBatches, type StoredPlan } from './rollout-plan.js';
import type { RunInfo } from './run-info.js';
import { nowIso, type Runtime } from './runtime.js';
import { enqueue, finishTask } from './scheduler.js';

export type StageTask = Extract<CompiledTask<unknown>, { kind: 'stage' }>;

/**
 * A rollout stage (canary or batches) as a task: it plans (once), starts its first batch and returns;
 * the stage stays `running` while its targets' jobs work. The last target of a batch starts the next
 * batch (after the soak, as a delayed job: no worker sleeps) or ends the stage.
 */
export async function startStage(
  rt: Runtime,
  info: RunInfo,
  task: StageTask,
  ctx: TaskContext<unknown>,
): Promise<void> {
  const plan = await ensurePlan(rt, info, task.rolloutId, task.rollout, ctx);
  const batches = stageBatches(plan, task.stage);
  if (batches.length === 0) {
    await finishTask(rt, info, task.id, { from: ['running'], to: 'success', output: { targets: 0 } });
    return;
  }
  if (task.stage === 'batches' && plan.canary.length > 0 && plan.soakMs > 0) {
    await enqueue(rt, [batchJob(info.runId, task.id, 0, plan.soakMs)]);
    return;
  }
  await startBatch(rt, info, task, 0);
}

/**
 * The job that starts a batch after its soak. Its id is fixed per batch, so the reconciler can tell
 * whether it exists; a resume names its job apart (`resumeKey`), since the batch's first job may still be
 * on the queue.
 */
export function batchJob(
  runId: string,
  taskId: string,
  batch: number,
  delayMs: number,
  resumeKey?: string,
): JobSpec {
  return {
    id: resumeKey ? jobId(runId, taskId, 'b', batch, 'r', resumeKey) : jobId(runId, taskId, 'b', batch),
    data: { kind: 'batch', runId, taskId, batch },
    delayMs,
  };
}

export async function startBatch(rt: Runtime, info: RunInfo, task: StageTask, batch: number): Promise<void> {
  const plan = await loadPlan(rt, info, task.rolloutId);
  const batches = stageBatches(plan, task.stage);
  const targets = batches[batch] ?? [];
  const { runId } = info;
  const reply = await rt.scripts.run<string[]>(
    'marshalStageStartBatch',
    [
      rt.keys.run(runId),
      rt.keys.tasks(runId),
      rt.keys.stage(runId, task.id),
      rt.keys.stageQueue(runId, task.id),
    ],
    [
      task.id,
      batch,
      plan.concurrency,
      batches.length,
      plan.maxPer?.n ?? 0,
      ...targets.flatMap((t) => [t, plan.maxPer?.domains[t] ?? '']),
    ],
  );
  switch (reply[0]) {
    case 'started': {
      const first = reply.slice(1);
      emitProgress(rt, info, task, plan, {
        batch,
        total: targets.length,
        done: 0,
        failed: 0,
        inFlight: first.length,
      });
      await enqueue(
        rt,
        first.map((target, i) => targetJob(runId, task.id, target, batch, i + 1)),
      );
      return;
    }
    case 'empty':
      await batchDone(rt, info, task, batch, '', false);
      return;
    case 'held':
      rt.emit({ type: 'task.state', runId, at: nowIso(), taskId: task.id, state: 'held', attempt: 0 });
      return;
    case 'aborted':
      await batchDone(rt, info, task, batch, '', true);
      return;
    default:
      return;
  }
}

/** `held`: hosts the stage holds with this one (its priority on the host lane, see JobSpec.priority). */
export function targetJob(
  runId: string,
  taskId: string,
  target: string,
  batch: number,
  held?: number,
): JobSpec {
  return {
    id: jobId(runId, taskId, 't', target),
    data: { kind: 'target', runId, taskId, target, batch },
    ...(held ? { priority: held } : {}),
  };
}

/** A batch has no target left in flight: halt, end the stage, or go on to the next batch. */
export async function batchDone(
  rt: Runtime,
  info: RunInfo,
  task: StageTask,
  batch: number,
  haltReason: string,
  aborted: boolean,
): Promise<void> {
  if (haltReason) {
    await finishTask(rt, info, task.id, { from: ['running'], to: 'failed', error: haltReason });
    return;
  }
  if (aborted) {
    await finishTask(rt, info, task.id, {
      from: ['running', 'held'],
      to: 'failed',
      error: `run ${info.runId} was aborted`,
    });
    return;
  }
  const plan = await loadPlan(rt, info, task.rolloutId);
  const batches = stageBatches(plan, task.stage);
  if (batch + 1 >= batches.length) {
    const changed = await rt.redis.llen(rt.keys.changed(info.runId, task.rolloutId));
    await finishTask(rt, info, task.id, {
      from: ['running'],
      to: 'success',
      output: { batches: batches.length, changed },
    });
    return;
  }
  if (plan.soakMs > 0) await enqueue(rt, [batchJob(info.runId, task.id, batch + 1, plan.soakMs)]);
  else await startBatch(rt, info, task, batch + 1);
}

/**
 * Mid-batch progress is published at most this often per stage and process: one event per finished
 * host was half of what a run kept in Redis, and readers (the Slack thread, the terminal) show the latest
 * counters at their own pace. A batch's start and end are always published.
 */
export const PROGRESS_EVERY_MS = 250;
const lastProgress = new WeakMap<Runtime, Map<string, number>>();

export function emitProgress(
  rt: Runtime,
  info: RunInfo,
  task: StageTask,
  plan: StoredPlan,
  c: { batch: number; total: number; done: number; failed: number; inFlight: number },
  midBatch = false,
): void {
  let seen = lastProgress.get(rt);
  if (!seen) lastProgress.set(rt, (seen = new Map<string, number>()));
  const key = `${info.runId}|${task.id}`;
  const now = Date.now();
  if (midBatch && now - (seen.get(key) ?? 0) < PROGRESS_EVERY_MS) return;
  if (midBatch) seen.set(key, now);
  else seen.delete(key);
  const progress: StageProgress = {
    rolloutId: task.rolloutId,
    stage: task.stage === 'canary' ? 'canary' : 'batch',
    batchIndex: task.stage === 'canary' ? 0 : c.batch + 1,
    batchCount: stageBatches(plan, task.stage).length,
    total: c.total,
    done: c.done,
    failed: c.failed,
    inFlight: c.inFlight,
  };
  rt.emit({ type: 'stage.progress', runId: info.runId, at: nowIso(), progress });
}
