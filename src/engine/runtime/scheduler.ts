import { scheduleRunExpiry } from './retention.js';
import { downstreamOf } from '../dag/graph.js';
import { evaluateTrigger } from '../dag/trigger-rules.js';
import type { CompiledTask } from '../dag/workflow-definition.js';
import { isFinalTaskState, type RunState, type TaskState } from '../model/task-state.js';
import type { AnyWorkflow } from '../registry.js';
import type { Queue } from 'bullmq';
import { jobId, jobOptions, laneOf, type JobSpec } from './jobs.js';
import { releaseRunLocks } from './locks.js';
import type { RunInfo } from './run-info.js';
import { nowIso, type Runtime } from './runtime.js';

/**
 * The run loop: a task reaching a final state evaluates its downstream tasks' trigger rules; decisions
 * are applied with one compare-and-set script (only one process wins each task) and the winners'
 * jobs are enqueued. Skips propagate in the same loop. The process whose script closed the run
 * announces it and releases its locks.
 */

const downstreamCache = new WeakMap<AnyWorkflow, Map<string, string[]>>();

export function downstreamOfTask(def: AnyWorkflow, taskId: string): string[] {
  let map = downstreamCache.get(def);
  if (!map) {
    map = downstreamOf([...def.tasks.values()]);
    downstreamCache.set(def, map);
  }
  return map.get(taskId) ?? [];
}

export interface RunFlags {
  abort: boolean;
  abortRollback: boolean;
}

/** Reply of the scripts that end a task: {applied|verdict, remaining, runFinal, abort, abortRollback, id, state, ...}. */
export interface FinishReply {
  applied: boolean;
  runFinal: RunState | undefined;
  flags: RunFlags;
  states: Map<string, TaskState>;
}

export function parseFinishReply(reply: unknown[], offset = 0): FinishReply {
  const states = new Map<string, TaskState>();
  for (let i = offset + 5; i + 1 < reply.length; i += 2)
    states.set(String(reply[i]), String(reply[i + 1]) as TaskState);
  const final = replyText(reply[offset + 2]);
  return {
    applied: Number(reply[offset]) === 1 || reply[offset] === 'applied',
    runFinal: final ? (final as RunState) : undefined,
    flags: { abort: reply[offset + 3] === '1', abortRollback: reply[offset + 4] === '1' },
    states,
  };
}

/** Whether a task may still run once the run is aborted: cleanup does, rollback only if asked for. */
export function runsUnderAbort(task: CompiledTask<unknown>, flags: RunFlags): boolean {
  if (task.kind === 'rollback') return flags.abortRollback;
  return task.trigger === 'all_done' || task.trigger === 'always';
}

export async function advance(
  rt: Runtime,
  info: RunInfo,
  finished: string[],
  states: Map<string, TaskState>,
  flags: RunFlags,
): Promise<void> {
  await evaluate(
    rt,
    info,
    finished.flatMap((f) => downstreamOfTask(info.def, f)),
    states,
    flags,
  );
}

/** Starts a new run: its root tasks' trigger rules are judged like any other's. */
export async function startRoots(rt: Runtime, info: RunInfo, states: Map<string, TaskState>): Promise<void> {
  const roots = [...info.def.tasks.values()].filter((t) => t.upstream.length === 0).map((t) => t.id);
  await evaluate(rt, info, roots, states, { abort: false, abortRollback: false });
}

/**
 * Judges every task still `pending` again: the reconciler's repair for a decision lost when a process
 * died (or Redis failed) between ending a task and moving its downstream on.
 */
export async function evaluatePending(
  rt: Runtime,
  info: RunInfo,
  states: Map<string, TaskState>,
  flags: RunFlags,
): Promise<void> {
  const pending = info.def.order.filter((id) => states.get(id) === 'pending');
  await evaluate(rt, info, pending, states, flags);
}

/** The tasks whose states judging `taskId`'s downstream needs: that downstream and its upstream. */
function neighbourhood(def: AnyWorkflow, taskId: string): Set<string> {
  const ids = new Set<string>([taskId]);
  for (const d of downstreamOfTask(def, taskId)) {
    ids.add(d);
    for (const u of (def.tasks.get(d) as CompiledTask<unknown>).upstream) ids.add(u);
  }
  return ids;
}

/**
 * Reads the states `candidates` are judged on that `states` lacks (finishTask reads only a task's
 * neighbourhood; a skip propagating further needs the next one).
 */
async function completeStates(
  rt: Runtime,
  info: RunInfo,
  candidates: string[],
  states: Map<string, TaskState>,
): Promise<void> {
  const missing = new Set<string>();
  for (const d of candidates) {
    if (!states.has(d)) missing.add(d);
    for (const u of (info.def.tasks.get(d) as CompiledTask<unknown> | undefined)?.upstream ?? [])
      if (!states.has(u)) missing.add(u);
  }
  if (missing.size === 0) return;
  const ids = [...missing];
  const got = await rt.redis.hmget(rt.keys.tasks(info.runId), ...ids);
  ids.forEach((id, i) => {
    if (got[i]) states.set(id, got[i] as TaskState);
  });
}

async function evaluate(
  rt: Runtime,
  info: RunInfo,
  first: string[],
  states: Map<string, TaskState>,
  flags: RunFlags,
): Promise<void> {
  let candidates = first;
  const toEnqueue: JobSpec[] = [];
  while (candidates.length > 0) {
    await completeStates(rt, info, candidates, states);
    const decided = new Map<string, TaskState>();
    for (const d of candidates) {
      if (decided.has(d) || states.get(d) !== 'pending') continue;
      const next = decide(info.def.tasks.get(d) as CompiledTask<unknown>, states, flags);
      if (next) decided.set(d, next);
    }
    const frontier: string[] = [];
    candidates = [];
    if (decided.size === 0) break;
    const won = await transition(rt, info, decided);
    for (const id of won.ids) {
      const to = decided.get(id) as TaskState;
      states.set(id, to);
      rt.emit({ type: 'task.state', runId: info.runId, at: nowIso(), taskId: id, state: to, attempt: 0 });
      if (to === 'queued') toEnqueue.push(taskJob(info.runId, id));
      else frontier.push(id);
    }
    if (won.runFinal) await closeRun(rt, info, won.runFinal);
    candidates = frontier.flatMap((f) => downstreamOfTask(info.def, f));
  }
  if (toEnqueue.length > 0) await enqueue(rt, toEnqueue);
}

function decide(
  task: CompiledTask<unknown>,
  states: Map<string, TaskState>,
  flags: RunFlags,
): TaskState | undefined {
  const upstream = task.upstream.map((u) => states.get(u) ?? 'pending');
  const verdict = evaluateTrigger(task.trigger, upstream);
  switch (verdict) {
    case 'wait':
      return undefined;
    case 'skip':
      return 'skipped';
    case 'upstream_failed':
      return 'upstream_failed';
    case 'run':
      return flags.abort && !runsUnderAbort(task, flags) ? 'skipped' : 'queued';
  }
}

async function transition(
  rt: Runtime,
  info: RunInfo,
  decided: Map<string, TaskState>,
): Promise<{ ids: string[]; runFinal: RunState | undefined }> {
  const args: string[] = [nowIso()];
  for (const [id, to] of decided) args.push(id, to);
  const reply = await rt.scripts.run<unknown[]>(
    'marshalTransition',
    [rt.keys.run(info.runId), rt.keys.tasks(info.runId)],
    args,
  );
  const final = replyText(reply[1]);
  return { ids: reply.slice(2).map(String), runFinal: final ? (final as RunState) : undefined };
}

export function taskJob(runId: string, taskId: string, attempt = 1, delayMs = 0): JobSpec {
  return { id: jobId(runId, taskId, attempt), data: { kind: 'task', runId, taskId }, delayMs };
}

export async function enqueue(rt: Runtime, jobs: JobSpec[]): Promise<void> {
  const hosts = jobs.filter((j) => laneOf(j.data) === 'hosts');
  const control = jobs.filter((j) => laneOf(j.data) === 'control');
  await Promise.all([addTo(rt.queue, hosts), addTo(rt.controlQueue, control)]);
}

async function addTo(queue: Queue, jobs: JobSpec[]): Promise<void> {
  if (jobs.length === 0) return;
  if (jobs.length === 1) {
    const j = jobs[0] as JobSpec;
    await queue.add(j.data.kind, j.data, jobOptions(j));
    return;
  }
  await queue.addBulk(jobs.map((j) => ({ name: j.data.kind, data: j.data, opts: jobOptions(j) })));
}

export interface FinishTask {
  from: TaskState[];
  to: TaskState;
  /** Only this attempt may finish the task; undefined = whoever. */
  attempt?: number;
  error?: string;
  output?: unknown;
  /** Sent with the task.state event: what the task did, in words. */
  note?: string;
}

/** Ends (or parks) a task with a compare-and-set; a final state moves the run on. Returns whether it applied. */
export async function finishTask(
  rt: Runtime,
  info: RunInfo,
  taskId: string,
  f: FinishTask,
): Promise<boolean> {
  const reply = await rt.scripts.run<unknown[]>(
    'marshalTaskFinish',
    [rt.keys.run(info.runId), rt.keys.tasks(info.runId), rt.keys.outputs(info.runId)],
    [
      taskId,
      f.from.join(','),
      f.to,
      f.attempt ?? '',
      nowIso(),
      f.error ?? '',
      f.output === undefined ? '' : JSON.stringify(f.output),
      [...neighbourhood(info.def, taskId)].join('|'),
    ],
  );
  const r = parseFinishReply(reply);
  if (!r.applied) return false;
  rt.emit({
    type: 'task.state',
    runId: info.runId,
    at: nowIso(),
    taskId,
    state: f.to,
    attempt: f.attempt ?? 0,
    ...(f.error ? { error: f.error } : {}),
    ...(f.note ? { note: f.note } : {}),
  });
  await afterFinal(rt, info, isFinalTaskState(f.to) ? [taskId] : [], r);
  return true;
}

/** After a script made tasks final: close the run if it said so, else move downstream on. */
export async function afterFinal(rt: Runtime, info: RunInfo, ended: string[], r: FinishReply): Promise<void> {
  if (r.runFinal) {
    await closeRun(rt, info, r.runFinal);
    return;
  }
  if (ended.length > 0) await advance(rt, info, ended, r.states, r.flags);
}

export async function closeRun(rt: Runtime, info: RunInfo, state: RunState): Promise<void> {
  // Locks first: whoever hears `run.finished` may start the next run on the same hosts.
  await releaseRunLocks(rt, info.runId);
  await rt.redis.srem(rt.keys.activeRuns, info.runId);
  await scheduleRunExpiry(rt, info);
  // A rollback asked for after the end closes the run a second time: say so (post-finish-rollback.ts).
  const rollbackBy = await rt.redis.hget(rt.keys.run(info.runId), 'rollbackBy');
  rt.emit({
    type: 'run.finished',
    runId: info.runId,
    at: nowIso(),
    state,
    durationMs: Date.now() - info.startedMs,
    ...(rollbackBy ? { rollbackBy } : {}),
  });
  rt.logger.info({ runId: info.runId, workflow: info.def.name, state }, 'run finished');
}

function replyText(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}
