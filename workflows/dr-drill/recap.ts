import { planSteps, planWeights, type DrillJournal, type Scenario } from '../../src/drdrill/index.js';

const pct = (rate: number): string => `${(rate * 100).toFixed(2)}%`;
const time = (iso: string | undefined): string => (iso ? iso.slice(11, 19) : '–');
const weightsText = (w: Record<string, number>): string =>
  Object.entries(w)
    .map(([server, weight]) => `${server}=${weight}`)
    .join(' ');

/** What moved when, what the checks said, what users saw: the recap posted in the thread. Pure. */
export function recapText(scenario: Scenario, journal: DrillJournal): string {
  const { primary, secondary } = scenario.regions;
  const lines = [`${primary.name} → ${secondary.name}`];
  for (const step of journal.steps) {
    const users = step.load
      ? `users ${step.load.requests} requests, ${step.load.failures} failed (${pct(step.load.errorRate)}), p95 ${Math.round(step.load.p95)} ms`
      : 'users –';
    const failed = step.checks.filter((c) => !c.pass);
    const checks =
      step.pass === undefined
        ? 'not checked'
        : step.pass
          ? `checks passed (${step.checks.length})`
          : `FAILED: ${failed.map((c) => `${c.check} ${c.breaches.join(', ')}`).join('; ') || 'users saw errors'}`;
    lines.push(
      `• ${time(step.appliedAt)} ${step.kind} ${step.share}% (${weightsText(step.weights)}): ${checks}; ${users}`,
    );
  }
  if (journal.dns.switchedAt) {
    const lag = journal.replicationAtCutover?.map((r) => `${r.name} ${r.lagSeconds} s`).join(', ');
    lines.push(
      `• ${time(journal.dns.switchedAt)} DNS switched to ${secondary.name}${lag ? ` (replication lag ${lag})` : ''}`,
    );
  }
  if (journal.failure)
    lines.push(
      `• ${time(journal.failure.at)} check failed at ${journal.failure.share}%: ${journal.failure.reason}`,
    );
  if (journal.rollback) {
    const rb = journal.rollback;
    lines.push(
      rb.verifiedAt
        ? `• ${time(rb.verifiedAt)} rolled back: ${primary.name} serves everything again, ${((rb.ms ?? 0) / 1000).toFixed(1)} s after the failure${rb.dnsRestored ? '; DNS restored' : ''}`
        : `• rollback FAILED: ${rb.error ?? 'not verified'}: check HAProxy and DNS by hand`,
    );
  }
  return lines.join('\n');
}

/** What a dry run would do, step by step, from the plan alone. Pure. */
export function dryRunPlan(scenario: Scenario): string {
  const servers = {
    primary: scenario.regions.primary.backends.map((b) => b.server),
    secondary: scenario.regions.secondary.backends.map((b) => b.server),
    fullWeight: scenario.traffic.haproxy.fullWeight,
  };
  const lines = planSteps(scenario.shift).map(({ kind, share }) => {
    const plan = planWeights(servers, share);
    const dns = scenario.shift.dnsSwitchAt === share ? '; then DNS switched to the secondary' : '';
    return `• ${kind} ${share}%: ${[...plan.weights].map(([s, w]) => `${s}=${w}`).join(' ')}${dns}`;
  });
  return [
    `Dry run: nothing was changed. The drill would move ${scenario.regions.primary.name} → ${scenario.regions.secondary.name}:`,
    ...lines,
    `with an approval after the canary, a ${scenario.shift.soak / 1000} s soak and the checks after each step.`,
  ].join('\n');
}
