import type { RunEvent, StageProgress } from '../engine/index.js';
import { scrubSecrets } from '../log/index.js';

/**
 * One line per event worth a terminal operator's attention, or undefined for the rest. Pure: the run
 * command prints what this returns. Host successes are summarised by stage progress, not listed.
 */
export function formatEventLine(event: RunEvent): string | undefined {
  const t = event.at.slice(11, 19);
  switch (event.type) {
    case 'run.started':
      return `${t} ▶ run ${event.runId}: ${event.workflow}${event.dryRun ? ' (dry run)' : ''} requested by ${event.requester}`;
    case 'task.state':
      if (
        !['running', 'success', 'failed', 'skipped', 'upstream_failed', 'up_for_retry', 'held'].includes(
          event.state,
        )
      )
        return undefined;
      if (event.state === 'upstream_failed')
        return `${t}   · ${event.taskId} not run (an upstream task failed)`;
      return `${t}   ${symbol(event.state)} ${event.taskId} ${event.note ?? event.state}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}${
        event.error ? `: ${scrubSecrets(event.error)}` : ''
      }`;
    case 'stage.progress': {
      const p = event.progress;
      const stage = p.stage === 'canary' ? 'canary' : `batch ${p.batchIndex}/${p.batchCount}`;
      // Counters that cannot be (negative, more done than there are) were rebuilt from nothing after
      // Redis lost the run's state: never print them as progress.
      if (!consistent(p))
        return `${t}   ⚠ ${p.rolloutId} ${stage}: progress unknown — its counters were lost from Redis`;
      return `${t}     ${p.rolloutId} ${stage}: ${p.done}/${p.total} done, ${p.failed} failed, ${p.inFlight} in flight`;
    }
    case 'run.lost':
      return `${t} 🚨 run ${event.runId} LOST: ${event.why}; hosts touched as far as known: ${
        event.hosts.join(', ') || 'none recorded'
      }`;
    case 'target.finished':
      if (event.result.ok) return undefined;
      return `${t}     ✗ ${event.result.target}: ${scrubSecrets(event.result.error ?? 'failed')}`;
    case 'gate.waiting':
      return `${t} ⏸ ${event.gateId} waits for ${event.kind === 'choice' ? 'a decision' : 'approval'} (until ${event.expiresAt.slice(11, 19)} UTC)`;
    case 'gate.decided':
      return `${t} ${event.decision === 'approve' ? '✔' : '✖'} ${event.gateId} ${event.timedOut ? 'timed out' : `${event.decision}d by ${event.by}`}${event.option ? `: ${event.option}` : ''}`;
    case 'run.control':
      return `${t} ⚑ ${event.action}${event.rollback ? ' with rollback' : ''} by ${event.by}`;
    case 'run.finished':
      return `${t} ■ run ${event.runId} ${event.state} after ${(event.durationMs / 1000).toFixed(1)} s`;
  }
}

/** Progress counters a live run can have: none negative, no more finished or running than there are. */
export function consistent(p: StageProgress): boolean {
  return (
    p.total >= 0 &&
    p.done >= 0 &&
    p.failed >= 0 &&
    p.inFlight >= 0 &&
    p.failed <= p.done &&
    p.done + p.inFlight <= p.total
  );
}

function symbol(state: string): string {
  switch (state) {
    case 'success':
      return '✓';
    case 'failed':
    case 'upstream_failed':
      return '✗';
    case 'skipped':
      return '·';
    default:
      return '…';
  }
}
