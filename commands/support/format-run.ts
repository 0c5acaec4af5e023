import type { LockInfo, RunSnapshot } from '../../src/engine/model/run.js';
import { escapeMrkdwn } from '../../src/slack/blocks/index.js';

/** Plain mrkdwn summaries for `/ops`: short enough for an ephemeral message, no Block Kit needed. */
export function formatRunLine(run: RunSnapshot): string {
  const flags = [
    run.dryRun && 'dry run',
    run.holdRequested && 'hold requested',
    run.abortRequested && 'abort requested',
  ].filter(Boolean);
  return `\`${run.runId}\` ${run.workflow} *${run.state}* by <@${run.requester}> since ${run.createdAt}${flags.length ? ` (${flags.join(', ')})` : ''}`;
}

export function formatRunStatus(run: RunSnapshot): string {
  const lines = [formatRunLine(run)];
  for (const p of run.progress) {
    const stage = p.stage === 'canary' ? 'canary' : `batch ${p.batchIndex}/${p.batchCount}`;
    lines.push(
      `• ${p.rolloutId} ${stage}: ${p.done}/${p.total} done, ${p.failed} failed, ${p.inFlight} in flight`,
    );
  }
  for (const g of run.gates) {
    const decided = g.decidedBy ? ` by <@${g.decidedBy}> at ${g.decidedAt ?? '?'}` : '';
    const choice = g.choice
      ? `: ${escapeMrkdwn(g.options?.find((o) => o.id === g.choice)?.label ?? g.choice)}`
      : '';
    const quorum =
      g.quorum && g.state === 'waiting' ? ` (${g.approvers?.length ?? 0} of ${g.quorum} approvals)` : '';
    lines.push(`• gate ${g.gateId}: ${g.state}${choice}${quorum}${decided}`);
  }
  const failed = run.targets.filter((t) => !t.ok);
  if (failed.length) lines.push(`• failed targets: ${failed.map((t) => escapeMrkdwn(t.target)).join(', ')}`);
  const active = run.tasks.filter((t) => !['pending', 'success', 'skipped'].includes(t.state));
  if (active.length) lines.push(`• tasks: ${active.map((t) => `${t.taskId} ${t.state}`).join(', ')}`);
  return lines.join('\n');
}

export function formatLocks(locks: LockInfo[]): string {
  if (!locks.length) return 'No locks are held.';
  return locks
    .map(
      (l) =>
        `• \`${escapeMrkdwn(l.name)}\` held by \`${l.owner}\` (${escapeMrkdwn(l.reason)}) until ${l.expiresAt}`,
    )
    .join('\n');
}
