import { hostCountsOf, type RunSnapshot } from '../engine/index.js';
import { counted } from '../text/counted.js';

/**
 * A run's state as a few lines of text, for `marshal status` and the end of `marshal run`. Pure. With
 * `errorsShown` (the end of `marshal run`, whose progress lines printed each failure as it happened) the
 * tasks are counted and the failed ones named, each error printed once only, above.
 */
export function describeRun(run: RunSnapshot, options: { errorsShown?: boolean } = {}): string {
  // Counts from the engine's counters; `targets` may name only the notable hosts (the failed among them).
  const counts = hostCountsOf(run);
  const failed = run.targets.filter((t) => !t.ok);
  const lines = [
    `run ${run.runId}: ${run.workflow}${run.dryRun ? ' (dry run)' : ''} — ${run.state}`,
    `  requested by ${run.requester} at ${run.createdAt}${run.finishedAt ? `, finished ${run.finishedAt}` : ''}`,
    `  hosts: ${counts.ok} ok (${counts.changed} changed), ${counts.failed} failed, ${counts.reached} reached`,
  ];
  for (const gate of run.gates) {
    if (gate.state === 'pending') continue;
    const choice = gate.choice ? `: ${gate.choice}` : '';
    const quorum =
      gate.quorum && gate.state === 'waiting'
        ? ` (${gate.approvers?.length ?? 0} of ${gate.quorum} approvals)`
        : '';
    const plan = gate.planHash && gate.state === 'waiting' ? ` — plan ${gate.planHash.slice(0, 12)}` : '';
    lines.push(
      `  gate ${gate.gateId}: ${gate.state}${choice}${quorum}${gate.decidedBy ? ` by ${gate.decidedBy}` : ''}${plan}`,
    );
  }
  if (options.errorsShown) {
    lines.push(`  tasks: ${taskCounts(run)}`);
  } else {
    for (const task of run.tasks) {
      lines.push(`  ${task.state.padEnd(15)} ${task.taskId}${task.error ? ` — ${task.error}` : ''}`);
    }
    for (const t of failed.slice(0, 20)) lines.push(`  ✗ ${t.target}: ${t.error ?? 'failed'}`);
  }
  const notRestored = run.targets.filter((t) => t.restore === 'failed' || t.restore === 'unknown');
  for (const t of notRestored)
    lines.push(
      `  ! ${t.target} NOT restored: ${t.restore === 'failed' ? (t.restoreError ?? 'restore failed') : 'its step failed part-way; nothing put it back'}`,
    );
  const restored = run.targets.filter((t) => t.restore === 'restored').length;
  if (restored) lines.push(`  ${counted(restored, 'host')} restored to their previous state`);
  if (!options.errorsShown && counts.failed > 20)
    lines.push(`  … and ${counted(counts.failed - 20, 'more failed host')}`);
  return lines.join('\n');
}

/** `9 succeeded, 1 failed (validation.targets), 5 not run`: the tasks by outcome, failures named. */
function taskCounts(run: RunSnapshot): string {
  const by = (states: readonly string[]) => run.tasks.filter((t) => states.includes(t.state));
  const failedTasks = by(['failed']);
  const parts = [
    `${by(['success']).length} succeeded`,
    failedTasks.length
      ? `${failedTasks.length} failed (${failedTasks.map((t) => t.taskId).join(', ')})`
      : '0 failed',
  ];
  const notRun = by(['upstream_failed', 'skipped']).length;
  if (notRun) parts.push(`${notRun} not run`);
  const open = run.tasks.length - by(['success', 'failed', 'upstream_failed', 'skipped']).length;
  if (open) parts.push(`${open} not finished`);
  return parts.join(', ');
}
