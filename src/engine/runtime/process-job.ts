import type { Job } from 'bullmq';
import { decideGate } from './gate.js';
import { JobData } from './jobs.js';
import { startBatch, type StageTask } from './rollout-stage.js';
import { runTargetJob, type Continuation } from './rollout-target.js';
import type { Runtime } from './runtime.js';
import { runTaskJob } from './task-job.js';

/**
 * How long, and for how many hosts, one host job goes on with the hosts its releases hand to it. Then
 * the next host gets a job of its own, back in the queue's order (where another run's waiting host goes
 * first), so a job holds a slot for about a second at most. Going on saves the queue's round trip per
 * host (about half the engine's CPU on a no-op step); a step of a second or more has nothing to save.
 */
export const HOSTS_PER_JOB = 64;
export const CONTINUE_FOR_MS = 1000;

/**
 * The BullMQ processor: validates the job and hands it to the part of the runtime it is for. `signal`
 * is the job's lease (see AttemptLeases): aborted once this process may no longer act for the job.
 * `mayContinue`: whether a host job may go on with a host its release hands out (not while the worker
 * closes: it would hold the close up for a batch).
 */
export async function processJob(
  rt: Runtime,
  job: Job,
  signal?: AbortSignal,
  mayContinue: () => boolean = () => false,
): Promise<void> {
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
    case 'target': {
      const task = stageTask(info.def.tasks.get(data.taskId));
      const started = Date.now();
      let next: Continuation | undefined = { target: data.target, batch: data.batch };
      for (let hosts = 1; next; hosts++) {
        const goOn = hosts < HOSTS_PER_JOB;
        const holder = () =>
          goOn && Date.now() - started < CONTINUE_FOR_MS && !signal?.aborted && mayContinue()
            ? job.id
            : undefined;
        next = await runTargetJob(rt, info, task, next.target, next.batch, signal, holder);
      }
      return;
    }
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
