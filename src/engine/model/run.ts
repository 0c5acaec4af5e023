import { z } from 'zod';
import { RunState, TaskState } from './task-state.js';

export const RunRequest = z.object({
  workflow: z.string().min(1),
  params: z.unknown(),
  /** Who asked: a Slack user id such as `U012AB3CD`, or `cli:<user>` from a terminal. */
  requester: z.string().min(1),
  dryRun: z.boolean().default(false),
  /** Opaque data of the front end that started the run (e.g. Slack channel), kept with the run. */
  meta: z.record(z.string(), z.string()).default({}),
  /** Set when this run retries the failed targets of an earlier one. */
  retryOf: z.string().optional(),
});
export type RunRequest = z.input<typeof RunRequest>;

export const GateDecision = z.enum(['approve', 'reject']);
export type GateDecision = z.infer<typeof GateDecision>;

/** One answer of a choice gate, as people see it on a button. */
export const GateOption = z.object({ id: z.string(), label: z.string() });
export type GateOption = z.infer<typeof GateOption>;

export const GateSnapshot = z.object({
  gateId: z.string(),
  /** `approval` (also when absent): approve or reject; `choice`: pick one of `options` (or reject). */
  kind: z.enum(['approval', 'choice']).optional(),
  /** The question asked; undefined for a rollout's approval between canary and batches. */
  prompt: z.string().optional(),
  options: z.array(GateOption).optional(),
  /** A choice gate's option taken on timeout, if any. */
  defaultOption: z.string().optional(),
  /** The option picked (or taken on timeout). */
  choice: z.string().optional(),
  /** Distinct approvers the gate needs, when more than one; who approved so far. */
  quorum: z.number().int().optional(),
  approvers: z.array(z.string()).optional(),
  /** The rollout whose canary this gate follows; undefined for a gate elsewhere in the DAG. */
  rolloutId: z.string().optional(),
  /** The hash of the plan a decision approves; a decision naming another plan is refused. */
  planHash: z.string().optional(),
  state: z.enum(['pending', 'waiting', 'approved', 'rejected', 'timed_out']),
  evidence: z.unknown().optional(),
  expiresAt: z.string().optional(),
  decidedBy: z.string().optional(),
  decidedAt: z.string().optional(),
  reason: z.string().optional(),
});
export type GateSnapshot = z.infer<typeof GateSnapshot>;

export const StageProgress = z.object({
  /** The rollout group's id, e.g. `execution`. */
  rolloutId: z.string(),
  stage: z.enum(['canary', 'batch']),
  /** 1-based batch number; 0 for the canary. */
  batchIndex: z.number().int(),
  batchCount: z.number().int(),
  total: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  inFlight: z.number().int(),
});
export type StageProgress = z.infer<typeof StageProgress>;

export const TargetResult = z.object({
  target: z.string(),
  ok: z.boolean(),
  changed: z.boolean(),
  summary: z.string().optional(),
  error: z.string().optional(),
  durationMs: z.number(),
  stage: z.enum(['canary', 'batch']),
  batchIndex: z.number().int(),
  /**
   * Set when the target had to be put back: `restored` (the rollback did it), `failed` (it could not;
   * `restoreError` says why), `unknown` (its step failed part-way and could not undo its work, and no
   * rollback has put it back yet). The host's real state in these cases is what this says, not `changed`.
   */
  restore: z.enum(['restored', 'failed', 'unknown']).optional(),
  restoreError: z.string().optional(),
});
export type TargetResult = z.infer<typeof TargetResult>;

/** A run's hosts in numbers: what a summary shows without naming every host. */
export const HostCounts = z.object({
  /** Host steps that ended: ok (planned, in a dry run) or failed. A host in two rollouts counts twice. */
  reached: z.number().int(),
  ok: z.number().int(),
  failed: z.number().int(),
  /** Ended ok with a change (including hosts a rollback put back since: see `targets[].restore`). */
  changed: z.number().int(),
  /**
   * Of `changed`, those a rollback put back since: the engine's counter, or counted from `targets` when
   * they name every host. Absent when none was (and for a run rolled back before the engine kept this
   * counter: its notable hosts tell then).
   */
  restored: z.number().int().optional(),
  /**
   * Failed hosts the step or a restore may have left half-changed (`targets[].restore` unknown or failed):
   * the engine's counter, or counted from `targets`. Absent when none is (and for a run older than it).
   */
  halfChanged: z.number().int().optional(),
});
export type HostCounts = z.infer<typeof HostCounts>;

/**
 * Which hosts a snapshot names in `targets`: `all` (every host that ended, read from the whole ledger),
 * `notable` (only those a person must see by name: failed, rolled back, not restored; the default for the
 * thread, the console and `marshal status`, whose counts come from `hosts`), or one page of the run's
 * planned hosts in plan order.
 */
export const TargetsView = z.union([
  z.enum(['all', 'notable']),
  z.object({ offset: z.number().int().min(0), limit: z.number().int().min(1).max(5000) }),
]);
export type TargetsView = z.infer<typeof TargetsView>;

export const TaskSnapshot = z.object({
  taskId: z.string(),
  state: TaskState,
  attempt: z.number().int(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  error: z.string().optional(),
});
export type TaskSnapshot = z.infer<typeof TaskSnapshot>;

/** Everything a front end needs to show a run; built from Redis, never cached across processes. */
export const RunSnapshot = z.object({
  runId: z.string(),
  workflow: z.string(),
  requester: z.string(),
  dryRun: z.boolean(),
  state: RunState,
  abortRequested: z.boolean(),
  holdRequested: z.boolean(),
  createdAt: z.string(),
  finishedAt: z.string().optional(),
  params: z.unknown(),
  meta: z.record(z.string(), z.string()),
  retryOf: z.string().optional(),
  /** A rollback asked for after the run finished: who asked, when (asked once per run). */
  rollback: z.object({ by: z.string(), at: z.string() }).optional(),
  tasks: z.array(TaskSnapshot),
  gates: z.array(GateSnapshot),
  /** The stage a rollout is in now (or was in last). */
  progress: z.array(StageProgress),
  /** Per target, its latest result across stages: every one, or those the view asked for (`shown`). */
  targets: z.array(TargetResult),
  /** Counts over every host, whatever `targets` holds (the engine always sets it; read it with `hostCountsOf`). */
  hosts: HostCounts.optional(),
  /** What `targets` holds (see TargetsView; absent: every host); `planned`: the run's planned hosts, for paging. */
  shown: z
    .object({
      view: z.enum(['all', 'notable', 'page']),
      offset: z.number().int().optional(),
      limit: z.number().int().optional(),
      planned: z.number().int().optional(),
    })
    .optional(),
});
export type RunSnapshot = z.infer<typeof RunSnapshot>;

/** A host whose restore is unknown or failed: it may hold part of the change. */
export function isHalfChanged(t: Pick<TargetResult, 'restore'>): boolean {
  return t.restore === 'unknown' || t.restore === 'failed';
}

/** A run's host counts: the engine's counters, or (a snapshot that names every host) counted from `targets`. */
export function hostCountsOf(run: Pick<RunSnapshot, 'hosts' | 'targets'>): HostCounts {
  if (run.hosts) return run.hosts;
  const failed = run.targets.filter((t) => !t.ok).length;
  const restored = run.targets.filter((t) => t.ok && t.changed && t.restore === 'restored').length;
  const halfChanged = run.targets.filter((t) => !t.ok && isHalfChanged(t)).length;
  return {
    reached: run.targets.length,
    ok: run.targets.length - failed,
    failed,
    changed: run.targets.filter((t) => t.ok && t.changed).length,
    ...(restored > 0 ? { restored } : {}),
    ...(halfChanged > 0 ? { halfChanged } : {}),
  };
}

export const LockInfo = z.object({
  name: z.string(),
  owner: z.string(),
  reason: z.string(),
  expiresAt: z.string(),
});
export type LockInfo = z.infer<typeof LockInfo>;
