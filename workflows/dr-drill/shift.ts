import {
  DrillCheckFailed,
  stepAction,
  summarizeWindow,
  type CheckOutcome,
  type HttpCheckResult,
  type LoadSummary,
  type TimedSample,
} from '../../src/drdrill/index.js';
import { pause, type DrillRun } from './drill-run.js';

/** The load generator as a step sees it: what users' requests did so far. */
export interface RecordedLoad {
  readonly recorded: readonly TimedSample[];
}

export function checkOutcomes(results: readonly HttpCheckResult[]): CheckOutcome[] {
  return results.map((r) => ({
    check: r.check,
    url: r.url,
    pass: r.verdict.pass,
    errorRate: r.summary.errorRate,
    p95: r.summary.p95,
    breaches: r.verdict.breaches,
  }));
}

/**
 * One step of the shift: `share` percent to the secondary, then the soak, then the test suite through the
 * load balancer while the load generator's users keep sending. Continues where an attempt that died
 * stopped (the journal and HAProxy's live weights say where): a step's weights are set once, never after
 * a later step's. A failed suite, or users seeing more errors than the first check allows, records the
 * failure and throws: the rollback puts traffic back on the primary.
 */
export async function walkStep(
  run: DrillRun,
  step: { kind: 'canary' | 'batch'; share: number },
  load: RecordedLoad,
): Promise<void> {
  const { scenario, traffic, signal } = run;
  const journal = await run.journal();
  const live = await traffic.liveShare(signal);
  const action = stepAction(journal, step.share, live);
  if (action === 'done') return;
  if (action === 'refuse')
    throw new DrillCheckFailed(`${step.share}% step`, [
      `HAProxy already sends ${live.toFixed(1)}% to ${scenario.regions.secondary.name}: someone else moved traffic; the drill never moves backwards on its own`,
    ]);
  let appliedAt = journal.steps.find((s) => s.share === step.share)?.appliedAt;
  if (!appliedAt) {
    // Either apply now, or (an attempt died after setting the weights) record what HAProxy serves.
    const weights =
      action === 'apply'
        ? Object.fromEntries((await run.change(() => traffic.shift(step.share, signal))).plan.weights)
        : Object.fromEntries(await traffic.weights(signal));
    appliedAt = run.iso();
    const at = appliedAt;
    await run.record((j) => {
      j.steps.push({ kind: step.kind, share: step.share, weights, appliedAt: at, checks: [] });
    });
    await run.audit('shift', { share: step.share, weights, found: action === 'check' });
  }
  await pause(scenario.shift.soak, signal);
  const suite = await traffic.runSuite('frontend', scenario.shift.checks, signal);
  const checkedAt = run.iso();
  const users = summarizeWindow(load.recorded, Date.parse(appliedAt), Date.parse(checkedAt));
  const summary: LoadSummary = {
    requests: users.requests,
    failures: users.failures,
    errorRate: users.errorRate,
    p50: users.p50,
    p95: users.p95,
    max: users.max,
  };
  const breaches = suite.results.flatMap((r) => r.verdict.breaches.map((b) => `${r.check}: ${b}`));
  const allowed = loadThreshold(run);
  if (users.requests > 0 && users.errorRate > allowed)
    breaches.push(
      `users saw ${(users.errorRate * 100).toFixed(1)}% errors (${users.failures} of ${users.requests}) over ${(allowed * 100).toFixed(1)}%` +
        (users.failureReasons[0] ? `: ${users.failureReasons[0].reason}` : ''),
    );
  const pass = breaches.length === 0;
  await run.record((j) => {
    const recorded = j.steps.find((s) => s.share === step.share);
    if (!recorded) return;
    Object.assign(recorded, { checkedAt, pass, checks: checkOutcomes(suite.results), load: summary });
    if (!pass) j.failure = { at: checkedAt, share: step.share, reason: breaches.join('; ') };
  });
  await run.audit('step', { share: step.share, pass, breaches, users: { ...summary } });
  if (!pass) throw new DrillCheckFailed(`${step.share}% on ${scenario.regions.secondary.name}`, breaches);
}

/** The error rate users may see: the first check's threshold (the load generator requests its path). */
function loadThreshold(run: DrillRun): number {
  const name = run.scenario.shift.checks?.[0];
  const check = run.scenario.suite.checks.find((c) => c.name === name) ?? run.scenario.suite.checks[0];
  return check?.thresholds.maxErrorRate ?? 0;
}

/**
 * The DNS switch at the plan's share: replication checked first (the lag at cutover goes to the
 * scorecard; an unhealthy link stops the drill), then one update whose prerequisites say the records
 * still hold the primary's values. An attempt that took over after the update went through sees the
 * zone on the secondary's values and records it, without sending it twice.
 */
export async function switchDns(run: DrillRun): Promise<void> {
  const { scenario, traffic, signal } = run;
  if (!scenario.traffic.dns || (await run.journal()).dns.switchedAt) return;
  if (!(await traffic.dnsHolds('secondary', signal))) {
    const lags: { name: string; lagSeconds: number; lagBytes: number | null }[] = [];
    const problems: string[] = [];
    for (const link of scenario.replication) {
      const health = await traffic.checkReplication(link.name);
      lags.push({ name: link.name, lagSeconds: health.lagSeconds ?? 0, lagBytes: health.lagBytes ?? null });
      if (!health.healthy) problems.push(`replication ${link.name}: ${health.problems.join('; ')}`);
    }
    await run.record((j) => {
      j.replicationAtCutover = lags;
    });
    if (problems.length) throw new DrillCheckFailed('DNS cutover', problems);
    await run.change(() => traffic.switchDns('primary', 'secondary', signal));
  }
  const at = run.iso();
  await run.record((j) => {
    j.dns.switchedAt = at;
  });
  await run.audit('dns', {
    switched: 'primary → secondary',
    records: scenario.traffic.dns.records.map((r) => `${r.owner} ${r.type} ${r.secondary.join(',')}`),
  });
}
