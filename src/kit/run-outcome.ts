import { z } from 'zod';
import type { RunSnapshot, TargetResult } from '../engine/model/run.js';

/**
 * A target's restore, as the engine records it once a rollback (or the step itself) had to put it back
 * (issue #8: `restore` and `restoreError` on the target's result). Read through this schema so a run
 * recorded before the engine kept them reads as "nothing to say".
 */
const RestoreRecord = z.object({
  restore: z.enum(['restored', 'failed', 'unknown']).optional(),
  restoreError: z.string().optional(),
});
const restoreOf = (t: TargetResult): z.infer<typeof RestoreRecord> => {
  const parsed = RestoreRecord.safeParse(t);
  return parsed.success ? parsed.data : {};
};

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
  /** Targets that were changed and still hold the change (not put back by a rollback). */
  readonly changed: readonly string[];
  /** Targets a rollback put back as they were. */
  readonly restored: readonly string[];
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
  const restores = snapshot.targets.map((t) => ({ target: t.target, ...restoreOf(t) }));
  return {
    // A run that had to put anything back did not do what was asked.
    succeeded:
      failedTasks.length === 0 &&
      failed.length === 0 &&
      !snapshot.abortRequested &&
      restores.every((r) => r.restore === undefined),
    dryRun: snapshot.dryRun,
    requester: snapshot.requester,
    approvals,
    approvedBy: snapshot.gates.find((g) => g.state === 'approved')?.decidedBy,
    failedTasks,
    causes,
    targets: snapshot.targets,
    touched: snapshot.targets.map((t) => t.target),
    changed: snapshot.targets
      .filter((t) => t.ok && t.changed && restoreOf(t).restore === undefined)
      .map((t) => t.target),
    restored: restores.filter((r) => r.restore === 'restored').map((r) => r.target),
    failed: failed.map((t) => t.target),
    rolledBack: rollbackStates.some((t) => t.state === 'success'),
    rollbackErrors,
    restoreFailed: restores
      .filter((r) => r.restore === 'failed' || r.restore === 'unknown')
      .map((r) => ({
        target: r.target,
        error:
          r.restore === 'failed'
            ? `restore failed: ${r.restoreError ?? 'no error recorded'}`
            : 'restore unknown: its step failed part-way and nothing put it back',
      })),
    requestedAt: snapshot.createdAt,
  };
}
