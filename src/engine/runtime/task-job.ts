import { backoffDelay, shouldRetry } from '../retry/backoff.js';
import type { CompiledTask } from '../dag/workflow-definition.js';
import { AttemptSuperseded } from '../errors/attempt-superseded.js';
import type { TaskState } from '../model/task-state.js';
import { openGate } from './gate.js';
import type { RunInfo } from './run-info.js';
import { runRollback } from './rollback-task.js';
import { startStage } from './rollout-stage.js';
import { errorText, nowIso, type Runtime } from './runtime.js';
import { enqueue, finishTask, runsUnderAbort, taskJob } from './scheduler.js';
import { buildContext, rolloutIdsOf } from './task-context.js';
import { withTimeout } from './with-timeout.js';

export type PlainTask = Extract<CompiledTask<unknown>, { kind: 'task' }>;

/**
 * A task's job: claims the task (begin script, in one round trip with what the task may read), then
 * runs it by kind. Every outcome goes through compare-and-set scripts, so a redelivered job is harmless.
 */
export async function runTaskJob(
  rt: Runtime,
  info: RunInfo,
  taskId: string,
  jobId: string,
  jobSignal?: AbortSignal,
): Promise<void> {
  const task = info.def.tasks.get(taskId) as CompiledTask<unknown> | undefined;
  if (!task) {
    rt.logger.error(
      { runId: info.runId, taskId },
      'job for a task the workflow does not have (was the workflow changed mid-run?)',
    );
    return;
  }
  const { runId } = info;
  const rollouts = rolloutIdsOf(info);
  const pipeline = rt.redis.pipeline();
  rt.scripts.onPipeline(
    pipeline,
    'marshalTaskBegin',
    [rt.keys.run(runId), rt.keys.tasks(runId)],
    [taskId, nowIso(), jobId],
  );
  pipeline.hgetall(rt.keys.outputs(runId));
  for (const r of rollouts) pipeline.lrange(rt.keys.changed(runId, r), 0, -1);
  const replies = (await pipeline.exec()) ?? [];
  for (const [err] of replies) if (err) throw err;
  const begin = replies[0]?.[1] as [string, number, string, string, string];
  if (begin[0] !== 'run') return;
  const attempt = Number(begin[1]);
  const flags = { abort: begin[3] === '1', abortRollback: begin[4] === '1' };
  if (flags.abort && !runsUnderAbort(task, flags)) {
    const to: TaskState = begin[2] === 'up_for_retry' ? 'failed' : 'skipped';
    await finishTask(rt, info, taskId, { from: ['running'], to, attempt, error: `run ${runId} was aborted` });
    return;
  }
  rt.emit({ type: 'task.state', runId, at: nowIso(), taskId, state: 'running', attempt });
  const changed = new Map<string, string[]>();
  rollouts.forEach((r, i) => changed.set(r, (replies[i + 2]?.[1] as string[]) ?? []));
  const outputs = (replies[1]?.[1] as Record<string, string>) ?? {};
  const signal = jobSignal ?? new AbortController().signal;
  const fence = { kind: 'task', taskId, attempt } as const;
  const ctx = buildContext(rt, info, { taskId, attempt, signal, outputs, changed, fence });
  switch (task.kind) {
    case 'task':
      return runPlainTask(
        rt,
        info,
        task,
        attempt,
        (s) => buildContext(rt, info, { taskId, attempt, signal: s, outputs, changed, fence }),
        signal,
      );
    case 'stage':
      try {
        return await startStage(rt, info, task, ctx);
      } catch (err) {
        await finishTask(rt, info, taskId, {
          from: ['running'],
          to: 'failed',
          attempt,
          error: `could not plan the rollout: ${errorText(err)}`,
        });
        return;
      }
    case 'gate':
      return openGate(rt, info, task, attempt, ctx);
    case 'rollback':
      return runRollback(rt, info, task, attempt, ctx);
  }
}

async function runPlainTask(
  rt: Runtime,
  info: RunInfo,
  task: PlainTask,
  attempt: number,
  context: (signal: AbortSignal) => ReturnType<typeof buildContext>,
  jobSignal: AbortSignal,
): Promise<void> {
  let output: unknown;
  try {
    output = await withTimeout(task.id, task.timeoutMs, (signal) => task.fn(context(signal)), jobSignal);
  } catch (err) {
    // A superseded attempt records nothing: the attempt that holds the task (or the reconciler) ends it.
    if (jobSignal.aborted && jobSignal.reason instanceof AttemptSuperseded) throw jobSignal.reason;
    const error = errorText(err);
    if (task.retry && shouldRetry(err, attempt, task.retry)) {
      const delay = backoffDelay(task.retry, attempt);
      const parked = await finishTask(rt, info, task.id, {
        from: ['running'],
        to: 'up_for_retry',
        attempt,
        error,
      });
      if (parked) await enqueue(rt, [taskJob(info.runId, task.id, attempt + 1, delay)]);
      return;
    }
    rt.logger.warn({ runId: info.runId, taskId: task.id, attempt, err }, 'task failed');
    await finishTask(rt, info, task.id, { from: ['running'], to: 'failed', attempt, error });
    return;
  }
  await finishTask(rt, info, task.id, {
    from: ['running'],
    to: 'success',
    attempt,
    output: output ?? undefined,
  });
}
