import type { RunSnapshot, TargetResult } from '../engine/model/run.js';

/**
 * How a run went, read from its own record: the one reading the kit's audit, notification and cleanup
 * phases (and a workflow's overrides of them) agree on.
 */
export interface RunOutcome {
  /** No task failed, no target failed, nobody aborted. Tasks still running (the kit's own) do not count. */
  readonly succeeded: boolean;
  readonly dryRun: boolean;
  readonly requester: string;
  /** Who decided each gate, in the order they were decided. */
  readonly approvals: readonly {
    gate: string;
    decision: string;
    by: string | undefined;
    at: string | undefined;
  }[];
  /** The first approver of an approved gate, if any. */
  readonly approvedBy: string | undefined;
  readonly failedTasks: readonly string[];
  /** The tasks that failed themselves (not those skipped because of another), with their errors. */
  readonly causes: readonly { taskId: string; error: string }[];
  /** Every target a rollout worked on, whatever its result, with that result. */
  readonly targets: readonly TargetResult[];
  readonly touched: readonly string[];
  readonly changed: readonly string[];
  readonly failed: readonly string[];
  /** Some rollback task of the run ran to success. */
  readonly rolledBack: boolean;
  /** Rollback tasks that failed, with their errors. */
  readonly rollbackErrors: readonly { taskId: string; error: string }[];
  /**
   * Targets whose restore failed or is unknown, with why (the ledger's record of each restore; empty
   * when the engine has none to report).
   */
  readonly restoreFailed: readonly { target: string; error: string }[];
  readonly requestedAt: string;
}

/** Reads the outcome of `snapshot`; `rollbackTasks` are the ids of the run's rollback tasks. */
export function readRunOutcome(snapshot: RunSnapshot, rollbackTasks: readonly string[]): RunOutcome {
  const failedTasks = snapshot.tasks
    .filter((t) => t.state === 'failed' || t.state === 'upstream_failed')
    .map((t) => t.taskId);
  const causes = snapshot.tasks
    .filter((t) => t.state === 'failed')
    .map((t) => ({ taskId: t.taskId, error: t.error ?? 'no error recorded' }));
  const approvals = snapshot.gates
    .filter((g) => g.decidedBy !== undefined || g.state === 'timed_out')
    .map((g) => ({ gate: g.gateId, decision: g.state, by: g.decidedBy, at: g.decidedAt }));
  const rollbackStates = snapshot.tasks.filter((t) => rollbackTasks.includes(t.taskId));
  const failed = snapshot.targets.filter((t) => !t.ok);
  const rollbackErrors = rollbackStates
    .filter((t) => t.state === 'failed')
    .map((t) => ({ taskId: t.taskId, error: t.error ?? 'the rollback failed' }));
  return {
    succeeded: failedTasks.length === 0 && failed.length === 0 && !snapshot.abortRequested,
    dryRun: snapshot.dryRun,
    requester: snapshot.requester,
    approvals,
    approvedBy: snapshot.gates.find((g) => g.state === 'approved')?.decidedBy,
    failedTasks,
    causes,
    targets: snapshot.targets,
    touched: snapshot.targets.map((t) => t.target),
    changed: snapshot.targets.filter((t) => t.ok && t.changed).map((t) => t.target),
    failed: failed.map((t) => t.target),
    rolledBack: rollbackStates.some((t) => t.state === 'success'),
    rollbackErrors,
    restoreFailed: [],
    requestedAt: snapshot.createdAt,
  };
}
