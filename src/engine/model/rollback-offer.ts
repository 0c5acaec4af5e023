import { hostCountsOf, isHalfChanged, type RunSnapshot } from './run.js';

/** Hosts the run left changed or half-changed: changed and not restored, or a restore unknown or failed. */
export function unrestoredTargets(run: RunSnapshot): string[] {
  return run.targets
    .filter((t) => (t.changed && t.restore === undefined) || isHalfChanged(t))
    .map((t) => t.target);
}

/**
 * How many hosts the run left changed or half-changed, from whichever snapshot a front end holds. A
 * summary (`notable`) names only the hosts a person must see, so a host changed and left as it is counts
 * in `hosts.changed` alone: the changed count, less the changed hosts a rollback put back, plus the failed
 * ones whose restore is unknown or failed. A page of the plan names too few hosts to tell: read `notable`.
 * The hosts put back come from the engine's `restored` counter: a summary names at most NOTABLE_SHOWN
 * hosts, too few to count a big rollback by; the failed hosts left half-changed from its `halfChanged`
 * counter, likewise. Without a counter (none to count, or a run older than it) the named ones are all
 * there is to count.
 */
export function unrestoredCount(run: RunSnapshot): number {
  if (run.shown?.view !== 'notable') return unrestoredTargets(run).length;
  const counts = hostCountsOf(run);
  const restoredChanged =
    counts.restored ?? run.targets.filter((t) => t.ok && t.changed && t.restore === 'restored').length;
  const failedHalfChanged = counts.halfChanged ?? run.targets.filter((t) => !t.ok && isHalfChanged(t)).length;
  return counts.changed - restoredChanged + failedHalfChanged;
}

/**
 * Whether front ends offer Roll back (Engine.rollback): the run finished with failures (failed, aborted,
 * or a host failed), was no dry run, left hosts changed, and nobody asked for it yet. Pure.
 */
export function rollbackOffered(run: RunSnapshot): boolean {
  const finished = run.state === 'succeeded' || run.state === 'failed' || run.state === 'aborted';
  const failures = run.state !== 'succeeded' || hostCountsOf(run).failed > 0;
  return finished && !run.dryRun && !run.rollback && failures && unrestoredCount(run) > 0;
}
