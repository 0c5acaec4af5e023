import type { RunSnapshot, TargetResult } from '../../src/authoring/index.js';

/** How the push went, read from the run's own record; the one place audit, notify and cleanup agree on it. */
export interface RunOutcome {
  failedTasks: string[];
  /** The tasks that failed themselves (not skipped because of another), with their errors: the causes. */
  causes: { taskId: string; error: string }[];
  failedHosts: TargetResult[];
  changedHosts: TargetResult[];
  /** Every host the rollout worked on, whatever the result. */
  touchedHosts: string[];
  /** Who approved the canary, if anyone did. */
  approvedBy: string | undefined;
  rolledBack: boolean;
  succeeded: boolean;
}

/** Tasks that are still running when this is read (the reporting tasks themselves) are not failures. */
export function runOutcome(snapshot: RunSnapshot, rolloutId: string, rollbackTaskId: string): RunOutcome {
  const failedTasks = snapshot.tasks
    .filter((t) => t.state === 'failed' || t.state === 'upstream_failed')
    .map((t) => t.taskId);
  const causes = snapshot.tasks
    .filter((t) => t.state === 'failed')
    .map((t) => ({ taskId: t.taskId, error: t.error ?? 'no error recorded' }));
  const gate = snapshot.gates.find((g) => g.gateId === `${rolloutId}.approval`);
  const rolledBack = snapshot.tasks.some((t) => t.taskId === rollbackTaskId && t.state === 'success');
  const failedHosts = snapshot.targets.filter((t) => !t.ok);
  return {
    failedTasks,
    causes,
    failedHosts,
    changedHosts: snapshot.targets.filter((t) => t.ok && t.changed),
    touchedHosts: snapshot.targets.map((t) => t.target),
    approvedBy: gate?.state === 'approved' ? gate.decidedBy : undefined,
    rolledBack,
    succeeded: failedTasks.length === 0 && failedHosts.length === 0 && !snapshot.abortRequested,
  };
}
