import {
  GateSnapshot,
  hostCountsOf,
  RunSnapshot,
  type HostCounts,
  type StageProgress,
  type TargetResult,
  type TargetsView,
  type TaskSnapshot,
} from '../model/run.js';
import { RunState, TaskState } from '../model/task-state.js';
import { UnknownRun } from '../errors/unknown-run.js';
import type { AnyWorkflow } from '../registry.js';
import { ledgerField } from './keys.js';
import { readLedger, readLedgerEntries, type LedgerEntry } from './ledger.js';
import { loadPlan, stageBatches } from './rollout-plan.js';
import type { Runtime } from './runtime.js';

/** At most this many notable hosts are named in a summary; the counts still cover them all. */
export const NOTABLE_SHOWN = 500;

/**
 * Builds a run's snapshot from Redis (never cached: another process may have moved it on). The run,
 * its tasks, gates, stage counters and host counters come in one round trip; the hosts named are read
 * as `view` asks: the whole ledger (`all`), the notable set (`notable`), or one page of the plan.
 */
export async function readSnapshot(
  rt: Runtime,
  runId: string,
  view: TargetsView = 'all',
): Promise<RunSnapshot> {
  const p = rt.redis.pipeline();
  p.hgetall(rt.keys.run(runId));
  p.hgetall(rt.keys.tasks(runId));
  p.hgetall(rt.keys.gates(runId));
  p.hgetall(rt.keys.hostCounts(runId));
  const replies = ((await p.exec()) ?? []).map(([, v]) => (v ?? {}) as Record<string, string>);
  const [run = {}, t = {}, g = {}, counts = {}] = replies;
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
  const stageTasks = [...(def?.tasks.values() ?? [])].filter((task) => task.kind === 'stage');
  const stageHashes = await readStages(
    rt,
    runId,
    stageTasks.map((task) => task.id),
  );
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
      const s = stageHashes.get(task.id) ?? {};
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
  const shown = await shownTargets(rt, runId, def, view);
  const targets = latestResults(shown.entries);
  const hosts: HostCounts =
    shown.view === 'all'
      ? hostCountsOf({ targets })
      : {
          reached: Number(counts.ok ?? 0) + Number(counts.failed ?? 0),
          ok: Number(counts.ok ?? 0),
          failed: Number(counts.failed ?? 0),
          changed: Number(counts.changed ?? 0),
          ...(counts.restored === undefined ? {} : { restored: Number(counts.restored) }),
          ...(counts.halfChanged === undefined ? {} : { halfChanged: Number(counts.halfChanged) }),
        };
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
    targets: shown.view === 'page' ? targets : targets.sort((a, b) => a.target.localeCompare(b.target)),
    hosts,
    shown: {
      view: shown.view,
      ...(shown.page ? { offset: shown.page.offset, limit: shown.page.limit, planned: shown.planned } : {}),
    },
  });
}

async function readStages(
  rt: Runtime,
  runId: string,
  taskIds: string[],
): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  if (taskIds.length === 0) return out;
  const p = rt.redis.pipeline();
  for (const id of taskIds) p.hgetall(rt.keys.stage(runId, id));
  const replies = (await p.exec()) ?? [];
  taskIds.forEach((id, i) => {
    const [err, v] = replies[i] ?? [];
    if (err) throw err;
    out.set(id, (v ?? {}) as Record<string, string>);
  });
  return out;
}

interface Shown {
  view: 'all' | 'notable' | 'page';
  entries: LedgerEntry[];
  page?: { offset: number; limit: number };
  planned?: number;
}

/** The ledger entries the view names. */
async function shownTargets(
  rt: Runtime,
  runId: string,
  def: AnyWorkflow | undefined,
  view: TargetsView,
): Promise<Shown> {
  if (view === 'all') return { view, entries: await readLedger(rt.redis, rt.keys, runId) };
  if (view === 'notable') {
    const fields = await rt.redis.srandmember(rt.keys.notable(runId), NOTABLE_SHOWN);
    return { view, entries: await readLedgerEntries(rt.redis, rt.keys, runId, fields.sort()) };
  }
  const planned = await plannedFields(rt, runId, def);
  const fields = planned.slice(view.offset, view.offset + view.limit);
  return {
    view: 'page',
    entries: await readLedgerEntries(rt.redis, rt.keys, runId, fields),
    page: view,
    planned: planned.length,
  };
}

/** Every stage's targets in plan order (canary, then each batch), as ledger fields. */
async function plannedFields(rt: Runtime, runId: string, def: AnyWorkflow | undefined): Promise<string[]> {
  if (!def) return [];
  const info = await rt.runs.get(runId);
  const out: string[] = [];
  for (const task of def.tasks.values()) {
    if (task.kind !== 'stage') continue;
    const plan = await loadPlan(rt, info, task.rolloutId).catch(() => undefined);
    if (!plan) continue;
    for (const batch of stageBatches(plan, task.stage))
      for (const target of batch) out.push(ledgerField(task.id, target));
  }
  return out;
}

/** Per target, its latest result across stages (a batch's over the canary's). */
function latestResults(entries: LedgerEntry[]): TargetResult[] {
  const latest = new Map<string, TargetResult>();
  for (const e of entries) {
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
  return [...latest.values()];
}

/** The quorum recorded when the gate opened (the workflow's or the access config's, the larger), else the workflow's. */
function gateQuorum(recorded: string | undefined, declared: number): number | undefined {
  const n = recorded ? Number(recorded) : declared;
  return n > 1 ? n : undefined;
}
