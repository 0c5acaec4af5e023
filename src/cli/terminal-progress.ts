import type { RunEvent } from '../engine/index.js';
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
      return `${t}   ${symbol(event.state)} ${event.taskId} ${event.state}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}${
        event.error ? `: ${scrubSecrets(event.error)}` : ''
      }`;
    case 'stage.progress': {
      const p = event.progress;
      const stage = p.stage === 'canary' ? 'canary' : `batch ${p.batchIndex}/${p.batchCount}`;
      return `${t}     ${p.rolloutId} ${stage}: ${p.done}/${p.total} done, ${p.failed} failed, ${p.inFlight} in flight`;
    }
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
