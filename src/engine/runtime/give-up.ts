import { JobAbandoned } from '../errors/job-abandoned.js';
import { UnknownRun } from '../errors/unknown-run.js';
import { decideGate } from './gate.js';
import { JobData } from './jobs.js';
import { ledgerField } from './keys.js';
import { loadPlan } from './rollout-plan.js';
import type { StageTask } from './rollout-stage.js';
import { recordTarget } from './rollout-target.js';
import type { RunInfo } from './run-info.js';
import { nowIso, type Runtime } from './runtime.js';
import { finishTask } from './scheduler.js';

/** A job BullMQ will not run again, as the Worker's `failed` event or the failed set reports it. */
export interface AbandonedJob {
  id: string;
  data: unknown;
  failedReason: string;
  attemptsMade: number;
  stalls: number;
}

/**
 * Ends the work a job stood for once BullMQ has given up on the job (too many stalls, attempts used
 * up): the task fails, or the target is recorded failed (the failure budget then judges it), with an
 * error that says why. Every end is a compare-and-set, so calling this twice, or after the work ended
 * by itself, changes nothing. Without it the run would wait forever for a job that never comes back.
 */
export async function giveUpOnJob(rt: Runtime, job: AbandonedJob): Promise<void> {
  const parsed = JobData.safeParse(job.data);
  if (!parsed.success) return;
  const data = parsed.data;
  let info: RunInfo;
  try {
    info = await rt.runs.get(data.runId);
  } catch (err) {
    if (err instanceof UnknownRun) return;
    throw err;
  }
  const task = info.def.tasks.get(data.taskId);
  if (!task) return;
  const abandoned = (work: string) =>
    new JobAbandoned(work, job.id, job.failedReason, job.attemptsMade, job.stalls);
  rt.logger.error(
    { runId: data.runId, taskId: data.taskId, jobId: job.id, reason: job.failedReason, stalls: job.stalls },
    'BullMQ gave up on an engine job; ending its work as failed',
  );
  switch (data.kind) {
    case 'task': {
      const [state, attempt, holder] = await rt.redis.hmget(
        rt.keys.tasks(data.runId),
        data.taskId,
        `${data.taskId}#a`,
        `${data.taskId}#j`,
      );
      // A running task belongs to the job that began it; a newer job (a retry) is left alone.
      const mine =
        state === 'queued' || state === 'up_for_retry' || (state === 'running' && holder === job.id);
      if (!mine) return;
      await finishTask(rt, info, data.taskId, {
        from: [state],
        to: 'failed',
        attempt: Number(attempt ?? 0) || undefined,
        error: abandoned(`task ${data.taskId}`).message,
      });
      return;
    }
    case 'target': {
      if (task.kind !== 'stage') return;
      const stageTask = task as StageTask;
      const plan = await loadPlan(rt, info, stageTask.rolloutId);
      const canary = stageTask.stage === 'canary';
      await recordTarget(
        rt,
        info,
        stageTask,
        plan,
        data.target,
        ledgerField(task.id, data.target),
        'failed',
        {
          stage: canary ? 'canary' : 'batch',
          batchIndex: canary ? 0 : data.batch + 1,
          startedAt: nowIso(),
          finishedAt: nowIso(),
          changed: false,
          error: abandoned(`host ${data.target} (${task.id})`).message,
        },
      );
      return;
    }
    case 'batch':
      await finishTask(rt, info, data.taskId, {
        from: ['running', 'held'],
        to: 'failed',
        error: abandoned(`the start of batch ${data.batch + 1} of ${data.taskId}`).message,
      });
      return;
    case 'gate_timeout':
      // The gate fails closed, as its timeout would have.
      await decideGate(rt, info, data.taskId, 'timed_out', 'marshal', abandoned('the gate timeout').message);
      return;
  }
}
