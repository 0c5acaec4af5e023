import { DrillCheckFailed, restoredAt } from '../../src/drdrill/index.js';
import { pause, type DrillRun } from './drill-run.js';
import type { RecordedLoad } from './shift.js';

/**
 * Puts traffic back on the primary: the weights saved before the drill, DNS back to the primary's
 * values when the drill switched it, then the checks through the load balancer until they pass (a few
 * tries: connections to the secondary drain) — the primary serves again, verified. Returns when that was.
 * Safe to repeat: weights are set to the same values, and DNS is switched only while it holds the
 * secondary's values.
 */
export async function restorePrimary(
  run: DrillRun,
  verifyWith: readonly string[] | undefined,
): Promise<{ verifiedAt: string; dnsRestored: boolean }> {
  const { traffic, signal, scenario } = run;
  const journal = await run.journal();
  const baseline = journal.baseline;
  if (!baseline) throw new Error('the journal has no baseline weights: nothing was moved');
  await run.change(() => traffic.restoreWeights(new Map(Object.entries(baseline)), signal));
  let dnsRestored = false;
  if (scenario.traffic.dns && journal.dns.switchedAt && !journal.dns.restoredAt) {
    if (await traffic.dnsHolds('secondary', signal))
      await run.change(() => traffic.switchDns('secondary', 'primary', signal));
    dnsRestored = true;
    const at = run.iso();
    await run.record((j) => {
      j.dns.restoredAt = at;
    });
  }
  let breaches: string[] = [];
  for (let attempt = 1; attempt <= 5; attempt++) {
    const suite = await traffic.runSuite('frontend', verifyWith, signal);
    const share = await traffic.liveShare(signal);
    breaches = suite.results.flatMap((r) => r.verdict.breaches.map((b) => `${r.check}: ${b}`));
    if (share > 0.5) breaches.push(`HAProxy still sends ${share.toFixed(1)}% to the secondary`);
    if (breaches.length === 0) return { verifiedAt: run.iso(), dnsRestored };
    await pause(1_000, signal);
  }
  throw new DrillCheckFailed(`the primary ${scenario.regions.primary.name} after the restore`, breaches);
}

/** When users' requests succeeded again after `since`, as the load generator saw them. */
export function usersRestoredAt(load: RecordedLoad, since: string): string | undefined {
  const at = restoredAt(load.recorded, Date.parse(since));
  return at === undefined ? undefined : new Date(at).toISOString();
}
