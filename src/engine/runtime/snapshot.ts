import {
  GateSnapshot,
  RunSnapshot,
  type StageProgress,
  type TargetResult,
  type TaskSnapshot,
} from '../model/run.js';
import { RunState, TaskState } from '../model/task-state.js';
import { UnknownRun } from '../errors/unknown-run.js';
import { readLedger } from './ledger.js';
import type { Runtime } from './runtime.js';

/** Builds a run's snapshot from Redis (never cached: another process may have moved it on). */
export async function readSnapshot(rt: Runtime, runId: string): Promise<RunSnapshot> {
  const p = rt.redis.pipeline();
  p.hgetall(rt.keys.run(runId));
  p.hgetall(rt.keys.tasks(runId));
  p.hgetall(rt.keys.gates(runId));
  const replies = ((await p.exec()) ?? []).map(([, v]) => (v ?? {}) as Record<string, string>);
  const [run = {}, t = {}, g = {}] = replies;
  if (!run.workflow) throw new UnknownRun(runId);
  const def = rt.registry.has(run.workflow) ? rt.registry.get(run.workflow) : undefined;
  const taskIds = def ? def.order : Object.keys(t).filter((k) => !k.includes('#'));
  const tasks: TaskSnapshot[] = taskIds.map((id) => ({
    taskId: id,
    state: TaskState.catch('pending').parse(t[id]),
    attempt: Number(t[`${id}#a`] ?? 0),
    ...(t[`${id}#s`] ? { startedAt: t[`${id}#s`] } : {}),
    ...(t[`${id}#f`] ? { finishedAt: t[`${id}#f`] } : {}),
    ...(t[`${id}#e`] ? { error: t[`${id}#e`] } : {}),
  }));
  const gates: GateSnapshot[] = [];
  const progress: StageProgress[] = [];
  for (const task of def?.tasks.values() ?? []) {
    if (task.kind === 'gate') {
      const ev = g[`${task.id}#evidence`];
      gates.push(
        GateSnapshot.parse({
          gateId: task.id,
          kind: task.gate.kind,
          prompt: task.gate.prompt,
          options: task.gate.options,
          defaultOption: task.gate.default,
          choice: g[`${task.id}#choice`] || undefined,
          quorum: gateQuorum(g[`${task.id}#quorum`], task.gate.quorum),
          planHash: g[`${task.id}#plan`] || undefined,
          rolloutId: task.rolloutId,
          approvers: g[`${task.id}#approvers`]
            ? (JSON.parse(g[`${task.id}#approvers`]!) as unknown)
            : undefined,
          state: g[task.id] ?? 'pending',
          evidence: ev === undefined ? undefined : (JSON.parse(ev) as unknown),
          expiresAt: g[`${task.id}#expiresAt`],
          decidedBy: g[`${task.id}#by`],
          decidedAt: g[`${task.id}#at`],
          reason: g[`${task.id}#reason`] || undefined,
        }),
      );
    }
    if (task.kind === 'stage') {
      const s = await rt.redis.hgetall(rt.keys.stage(runId, task.id));
      if (s.batch === undefined) continue;
      const batch = Number(s.batch);
      progress.push({
        rolloutId: task.rolloutId,
        stage: task.stage === 'canary' ? 'canary' : 'batch',
        batchIndex: task.stage === 'canary' ? 0 : batch + 1,
        batchCount: Number(s.batchCount ?? 0),
        total: Number(s.batchTotal ?? 0),
        done: Number(s.batchDone ?? 0),
        failed: Number(s.batchFailed ?? 0),
        inFlight: Number(s.inFlight ?? 0),
      });
    }
  }
  const latest = new Map<string, TargetResult>();
  for (const e of await readLedger(rt.redis, rt.keys, runId)) {
    if (e.state === 'started' || e.state === 'skipped') continue;
    const prev = latest.get(e.target);
    if (prev && prev.stage === 'batch' && e.stage === 'canary') continue;
    const restore =
      e.state === 'rolled_back'
        ? 'restored'
        : e.state === 'rollback_failed'
          ? 'failed'
          : e.state === 'failed' && e.checkpoint !== undefined
            ? 'unknown'
            : undefined;
    latest.set(e.target, {
      target: e.target,
      // A failed target stays failed once it was rolled back (its apply error is kept).
      ok: e.state !== 'failed' && !e.error,
      ...(restore ? { restore } : {}),
      ...(e.rollbackError ? { restoreError: e.rollbackError } : {}),
      changed: e.changed,
      durationMs: e.durationMs ?? 0,
      stage: e.stage,
      batchIndex: e.batchIndex,
      ...(e.summary ? { summary: e.summary } : {}),
      ...(e.error ? { error: e.error } : {}),
    });
  }
  return RunSnapshot.parse({
    runId,
    workflow: run.workflow,
    requester: run.requester,
    dryRun: run.dryRun === '1',
    state: RunState.parse(run.state),
    abortRequested: run.abort === '1',
    holdRequested: run.hold === '1',
    createdAt: run.createdAt,
    finishedAt: run.finishedAt || undefined,
    params: JSON.parse(run.params ?? 'null') as unknown,
    meta: JSON.parse(run.meta ?? '{}') as unknown,
    retryOf: run.retryOf || undefined,
    rollback: run.rollbackBy ? { by: run.rollbackBy, at: run.rollbackAt ?? '' } : undefined,
    tasks,
    gates,
    progress,
    targets: [...latest.values()].sort((a, b) => a.target.localeCompare(b.target)),
  });
}

/** The quorum recorded when the gate opened (the workflow's or the access config's, the larger), else the workflow's. */
function gateQuorum(recorded: string | undefined, declared: number): number | undefined {
  const n = recorded ? Number(recorded) : declared;
  return n > 1 ? n : undefined;
}
