import type { RunSnapshot } from '../engine/index.js';

/** A run's state as a few lines of text, for `marshal status` and the end of `marshal run`. Pure. */
export function describeRun(run: RunSnapshot): string {
  const ok = run.targets.filter((t) => t.ok).length;
  const failed = run.targets.filter((t) => !t.ok);
  const changed = run.targets.filter((t) => t.changed).length;
  const lines = [
    `run ${run.runId}: ${run.workflow}${run.dryRun ? ' (dry run)' : ''} — ${run.state}`,
    `  requested by ${run.requester} at ${run.createdAt}${run.finishedAt ? `, finished ${run.finishedAt}` : ''}`,
    `  hosts: ${ok} ok (${changed} changed), ${failed.length} failed, ${run.targets.length} reached`,
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
  for (const task of run.tasks) {
    lines.push(`  ${task.state.padEnd(15)} ${task.taskId}${task.error ? ` — ${task.error}` : ''}`);
  }
  for (const t of failed.slice(0, 20)) lines.push(`  ✗ ${t.target}: ${t.error ?? 'failed'}`);
  const notRestored = run.targets.filter((t) => t.restore === 'failed' || t.restore === 'unknown');
  for (const t of notRestored)
    lines.push(
      `  ! ${t.target} NOT restored: ${t.restore === 'failed' ? (t.restoreError ?? 'restore failed') : 'its step failed part-way; nothing put it back'}`,
    );
  const restored = run.targets.filter((t) => t.restore === 'restored').length;
  if (restored) lines.push(`  ${restored} host(s) restored to their previous state`);
  if (failed.length > 20) lines.push(`  … and ${failed.length - 20} more failed hosts`);
  return lines.join('\n');
}
