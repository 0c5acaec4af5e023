import type { RunSnapshot } from './run.js';

/** Hosts the run left changed or half-changed: changed and not restored, or a restore unknown or failed. */
export function unrestoredTargets(run: RunSnapshot): string[] {
  return run.targets
    .filter(
      (t) => (t.changed && t.restore === undefined) || t.restore === 'unknown' || t.restore === 'failed',
    )
    .map((t) => t.target);
}

/**
 * Whether front ends offer Roll back (Engine.rollback): the run finished with failures (failed, aborted,
 * or a host failed), was no dry run, left hosts changed, and nobody asked for it yet. Pure.
 */
export function rollbackOffered(run: RunSnapshot): boolean {
  const finished = run.state === 'succeeded' || run.state === 'failed' || run.state === 'aborted';
  const failures = run.state !== 'succeeded' || run.targets.some((t) => !t.ok);
  return finished && !run.dryRun && !run.rollback && failures && unrestoredTargets(run).length > 0;
}
