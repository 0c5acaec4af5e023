import type { Job } from 'bullmq';
import { decideGate } from './gate.js';
import { JobData } from './jobs.js';
import { startBatch, type StageTask } from './rollout-stage.js';
import { runTargetJob } from './rollout-target.js';
import type { Runtime } from './runtime.js';
import { runTaskJob } from './task-job.js';

/**
 * The BullMQ processor: validates the job and hands it to the part of the runtime it is for. `signal`
 * is the job's lease (see AttemptLeases): aborted once this process may no longer act for the job.
 */
export async function processJob(rt: Runtime, job: Job, signal?: AbortSignal): Promise<void> {
  const parsed = JobData.safeParse(job.data);
  if (!parsed.success) {
    rt.logger.error(
      { jobId: job.id, issues: parsed.error.issues },
      'dropped a job that does not match the job schema',
    );
    return;
  }
  const data = parsed.data;
  const info = await rt.runs.get(data.runId);
  switch (data.kind) {
    case 'task':
      return runTaskJob(rt, info, data.taskId, job.id ?? '', signal);
    case 'target':
      return runTargetJob(
        rt,
        info,
        stageTask(info.def.tasks.get(data.taskId)),
        data.target,
        data.batch,
        signal,
      );
    case 'batch':
      return startBatch(rt, info, stageTask(info.def.tasks.get(data.taskId)), data.batch);
    case 'gate_timeout':
      await decideGate(
        rt,
        info,
        data.taskId,
        'timed_out',
        'marshal',
        'no decision before the gate timed out',
      );
      return;
  }
}

function stageTask(task: unknown): StageTask {
  const t = task as StageTask | undefined;
  if (!t || t.kind !== 'stage') throw new Error('job names a task that is not a rollout stage');
  return t;
}
