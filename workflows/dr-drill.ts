/**
 * Multi-region DR drill: `/drdrill start <scenario> [--dry-run]` (or `/marshal run dr-drill …`,
 * `marshal run dr-drill …`). Its stages are shares of traffic, not hosts.
 *
 * Inputs     a scenario from the scenarios directory (`workflowSettings.dr-drill.scenarios`).
 * Phases     validation   the scenario is complete (field paths named); every backend and the load balancer
 *                         answer; HAProxy names, the DNS update's key and prerequisites, and replication are
 *                         dry-run-checked against the live systems
 *            pre-checks   both regions meet their SLO directly; no other maintenance (locks on either region,
 *                         freeze windows); no open incident in the site's feed
 *            execution    canary share → checks through HAProxy with users' load flowing → approval with the
 *                         measured evidence → each batch, checks after each → DNS switch where the plan says
 *            rollback     any failed step: weights and DNS back to the primary at once, time to restore measured
 *            audit        each phase's record as it ends, to Marshal's audit and the scenario's second sink
 *            recap        what moved when, checks, what users saw, in the thread
 *            monitoring   the secondary probed for the monitoring period; an SLO breach alerts the thread
 *            fail-back    a choice: fail back now / stay (timing out to the scenario's policy); fail-back
 *                         restores weights and DNS and verifies the primary serves
 *            scorecard    RTO against the target, users' errors and latency, replication lag at cutover,
 *                         rollback time; kept per scenario for `/drdrill history`
 * Dry run    validation and pre-checks run (read-only, no locks); the plan is shown; nothing moves.
 */
import { z } from 'zod';
import {
  defineWorkflowModule,
  postNote,
  ValidationError,
  type FieldIssue,
  type Json,
  type TaskHandle,
  type WorkflowBody,
} from '../src/authoring/index.js';
import {
  activeFreeze,
  createDrillServices,
  describeScorecard,
  DrillCheckFailed,
  DrillRefused,
  LocalName,
  planSteps,
  scoreDrill,
  Scorecard,
  type Scenario,
} from '../src/drdrill/index.js';
import type { DrDrillDeps } from './dr-drill/deps.js';
import { DrillRun, pause, scorecardsKey, type Ctx, type DrDrillParams } from './dr-drill/drill-run.js';
import { dryRunPlan, recapText } from './dr-drill/recap.js';
import { restorePrimary, usersRestoredAt } from './dr-drill/restore.js';
import { switchDns, walkStep, type RecordedLoad } from './dr-drill/shift.js';

export type { DrDrillDeps } from './dr-drill/deps.js';

export const DrDrillParamsSchema = z.object({ scenario: LocalName });

const HOUR = 3_600_000;
/** Bounds of the waits a scenario sets (its own values apply below them). */
const APPROVAL_TIMEOUT_MS = 2 * HOUR;
const FAILBACK_DECISION_MAX_MS = 24 * HOUR;
const MONITORING_MAX_MS = 24 * HOUR;

export default defineWorkflowModule({
  name: 'dr-drill',
  summary: 'Multi-region DR drill: shift traffic to the secondary canary-first, test, then fail back',
  params: DrDrillParamsSchema,
  syntax: {
    positionals: [
      {
        name: 'scenario',
        help: 'a scenario name from the scenarios directory, e.g. checkout-eu',
        word: LocalName,
      },
    ],
  },
  slashCommand: {
    command: '/drdrill',
    subcommand: 'start',
    description: 'Start a DR drill (canary share first, approval, batches, fail back)',
  },
  workflow: (deps) =>
    createDrDrill({
      services: createDrillServices(deps),
      records: deps.records,
      audit: deps.audit,
      notifier: deps.notifier,
      runs: deps.runs,
      clock: deps.clock,
    }),
});

export function createDrDrill(deps: DrDrillDeps): WorkflowBody<DrDrillParams> {
  let scenarioTask: TaskHandle<Json> | undefined;
  const drill = (ctx: Ctx): DrillRun => DrillRun.of(ctx, deps, scenarioTask && ctx.output(scenarioTask));
  /** Runs a phase's work and writes its audit record as it ends, whether it passed or failed. */
  const phase =
    <O extends Json | void>(name: string, work: (run: DrillRun) => Promise<O>) =>
    async (ctx: Ctx): Promise<O> => {
      const run = drill(ctx);
      try {
        const result = await work(run);
        await run.audit(name, { ok: true, result: result ?? null });
        return result;
      } catch (err) {
        if (!ctx.signal.aborted)
          await run.audit(name, { ok: false, error: err instanceof Error ? err.message : String(err) });
        throw err;
      }
    };

  return {
    // Locks are per region and scenario, taken in the pre-checks once the scenario names its regions.
    auditKind: 'drdrill',

    tasks(wf) {
      // ---- Validation: a typo fails here, not halfway through.
      const validation = wf.group('validation', (g) => {
        scenarioTask = g.task(
          'scenario',
          async (ctx) => (await deps.services.loadScenario(ctx.params.scenario)) as unknown as Json,
          { timeoutMs: 60_000 },
        );
        g.task(
          'reachability',
          phase('validation.reachability', async (run) => {
            const issues: FieldIssue[] = [];
            const { regions, traffic } = run.scenario;
            for (const role of ['primary', 'secondary'] as const)
              for (const [i, backend] of regions[role].backends.entries()) {
                const why = await deps.services.unreachable(backend.url, run.signal);
                if (why)
                  issues.push({
                    path: `regions.${role}.backends[${i}].url`,
                    message: `${backend.url} does not answer: ${why}`,
                  });
              }
            const lb = await deps.services.unreachable(traffic.haproxy.frontendUrl, run.signal);
            if (lb)
              issues.push({
                path: 'traffic.haproxy.frontendUrl',
                message: `${traffic.haproxy.frontendUrl} does not answer: ${lb}`,
              });
            if (issues.length) throw new ValidationError(`Scenario ${run.scenario.name}`, issues);
            return { backends: regions.primary.backends.length + regions.secondary.backends.length };
          }),
          { after: scenarioTask, timeoutMs: 120_000 },
        );
        g.task(
          'dry-runs',
          phase('validation.dry-runs', async (run) => {
            const { ok, findings } = await run.traffic.preflight(run.signal);
            if (!ok)
              throw new ValidationError(
                `Scenario ${run.scenario.name} against the live systems`,
                findings
                  .filter((f) => !f.ok)
                  .map((f) => ({ path: findingPath(run.scenario, f.check, f.subject), message: f.detail })),
              );
            return findings.map((f) => `${f.subject}: ${f.detail}`);
          }),
          { after: scenarioTask, timeoutMs: 120_000 },
        );
      });

      // ---- Pre-checks: both regions healthy, nothing else going on, no open incident.
      const prechecks = wf.group(
        'pre-checks',
        (g) => {
          g.task(
            'slo',
            phase('pre-checks.slo', async (run) => {
              const breaches: string[] = [];
              for (const side of ['primary', 'secondary'] as const) {
                const suite = await run.traffic.runSuite(side, undefined, run.signal);
                for (const r of suite.results)
                  for (const b of r.verdict.breaches)
                    breaches.push(`${run.scenario.regions[side].name} ${r.check} (${r.url}): ${b}`);
              }
              if (breaches.length)
                throw new DrillCheckFailed('A region misses its SLO before the drill', breaches);
              return 'both regions meet their SLO';
            }),
            { timeoutMs: 10 * 60_000 },
          );
          g.task(
            'maintenance',
            phase('pre-checks.maintenance', async (run) => {
              const { scenario, ctx } = run;
              const freeze = activeFreeze(deps.services.settings.freezeWindows, run.now());
              if (freeze)
                throw new DrillRefused(
                  scenario.name,
                  `a freeze window is in force until ${freeze.until} (${freeze.reason})`,
                );
              const names = [
                `region:${scenario.regions.primary.name}`,
                `region:${scenario.regions.secondary.name}`,
                `drdrill:${scenario.name}`,
              ];
              if (!ctx.dryRun) {
                await ctx.lock(names, `DR drill ${scenario.name}`);
                return names;
              }
              // A dry run holds nothing, but says what a real drill would be refused for.
              const held = (await deps.runs.locks()).filter((l) => names.includes(l.name));
              if (held.length)
                throw new DrillRefused(
                  scenario.name,
                  held.map((l) => `${l.name} is held by run ${l.owner} (${l.reason})`).join('; '),
                );
              return names;
            }),
            { timeoutMs: 60_000 },
          );
          g.task(
            'incidents',
            phase('pre-checks.incidents', async (run) => {
              const open = await deps.services.openIncidents(run.signal);
              if (open.length)
                throw new DrillRefused(
                  run.scenario.name,
                  open
                    .map(
                      (i) =>
                        `incident open: "${i.title}" (${i.status}${i.service ? `, ${i.service}` : ''}) ${i.url ?? i.id}`,
                    )
                    .join('; '),
                  { incidents: open.map((i) => i.id) },
                );
              return 'no open incident';
            }),
            { timeoutMs: 60_000 },
          );
        },
        { after: validation },
      );

      // ---- Execution, one task group: canary → approval → batches (→ DNS switch).
      const execution = wf.group(
        'execution',
        (g) => {
          const canary = g.task(
            'canary',
            phase('execution.canary', async (run) => {
              if (run.ctx.dryRun) {
                await postNote(deps.notifier, {
                  runId: run.ctx.runId,
                  title: `DR drill ${run.scenario.name}: dry run`,
                  text: dryRunPlan(run.scenario),
                });
                return 'dry run: nothing moved';
              }
              const journal = await run.journal();
              if (!journal.baseline) {
                const baseline = Object.fromEntries(await run.traffic.weights(run.signal));
                await run.record((j) => {
                  j.baseline ??= baseline;
                });
              }
              await withLoad(run, (load) =>
                walkStep(run, { kind: 'canary', share: run.scenario.shift.canary }, load),
              );
              return `${run.scenario.shift.canary}% on ${run.scenario.regions.secondary.name}, checks passed`;
            }),
            { timeoutMs: 30 * 60_000 },
          );
          const approval = g.approval('approval', {
            after: canary,
            prompt: 'Canary share on the secondary passed its checks. Shift the rest of the traffic?',
            timeoutMs: APPROVAL_TIMEOUT_MS,
            evidence: async (ctx) => {
              const run = drill(ctx);
              const step = (await run.journal()).steps.find((s) => s.kind === 'canary');
              return {
                scenario: run.scenario.name,
                secondary: run.scenario.regions.secondary.name,
                canaryShare: run.scenario.shift.canary,
                weights: step?.weights ?? {},
                checks: (step?.checks ?? []).map((c) => ({
                  check: c.check,
                  pass: c.pass,
                  errorRate: c.errorRate,
                  p95Ms: Math.round(c.p95),
                })),
                users: step?.load
                  ? {
                      requests: step.load.requests,
                      failures: step.load.failures,
                      p95Ms: Math.round(step.load.p95),
                    }
                  : null,
                next: run.scenario.shift.batches.map((b) => `${b}%`).join(' → '),
              };
            },
          });
          g.task(
            'batches',
            phase('execution.batches', async (run) => {
              if (run.ctx.dryRun) return 'dry run: nothing moved';
              await withLoad(run, async (load) => {
                for (const step of planSteps(run.scenario.shift).filter((s) => s.kind === 'batch')) {
                  await walkStep(run, step, load);
                  if (run.scenario.shift.dnsSwitchAt === step.share) await switchDns(run);
                }
              });
              return `${run.scenario.regions.secondary.name} serves 100%`;
            }),
            { after: approval, timeoutMs: 6 * HOUR },
          );
        },
        { after: prechecks },
      );

      // ---- Rollback: any failed step (or a rejected approval) puts traffic back on the primary at once.
      const rollback = wf.task(
        'rollback',
        phase('rollback', async (run) => {
          const journal = await run.journal();
          if (run.ctx.dryRun || !journal.baseline) return 'nothing was moved';
          const startedAt = journal.rollback?.startedAt ?? run.iso();
          await run.record((j) => {
            j.rollback ??= { startedAt, dnsRestored: false };
          });
          try {
            const { verifiedAt, dnsRestored, usersAt } = await withLoad(run, async (load) => {
              const restored = await restorePrimary(
                run,
                run.scenario.failback.verify ?? run.scenario.shift.checks,
              );
              return { ...restored, usersAt: usersRestoredAt(load, startedAt) };
            });
            const since = journal.failure?.at ?? startedAt;
            const ms = Date.parse(verifiedAt) - Date.parse(since);
            await run.record((j) => {
              Object.assign(j.rollback!, {
                verifiedAt,
                dnsRestored,
                ms,
                ...(usersAt ? { usersRestoredAt: usersAt } : {}),
              });
            });
            await deps.notifier.alert({
              runId: run.ctx.runId,
              to: [run.ctx.requester],
              title: `DR drill ${run.scenario.name} rolled back`,
              text: `${journal.failure ? `The ${journal.failure.share}% step failed: ${journal.failure.reason}.\n` : ''}Traffic is back on ${run.scenario.regions.primary.name} (checked) ${(ms / 1000).toFixed(1)} s after the failure${dnsRestored ? '; DNS restored' : ''}.`,
            });
            return { verifiedAt, ms, dnsRestored };
          } catch (err) {
            const error = err instanceof Error ? err.message : String(err);
            await run.record((j) => {
              if (j.rollback) j.rollback.error = error;
            });
            throw err;
          }
        }),
        { after: execution, trigger: 'one_failed', timeoutMs: 10 * 60_000 },
      );

      // ---- Notification: the recap, whatever happened.
      const recap = wf.task(
        'recap',
        async (ctx) => {
          if (ctx.dryRun || !scenarioTask || !ctx.output(scenarioTask)) return;
          const run = drill(ctx);
          const journal = await run.journal();
          if (journal.steps.length === 0) return;
          await postNote(deps.notifier, {
            runId: ctx.runId,
            title: `DR drill ${run.scenario.name}: recap`,
            text: recapText(run.scenario, journal),
          });
        },
        { after: [execution, rollback], trigger: 'all_done', timeoutMs: 60_000 },
      );

      // ---- Monitoring: the secondary keeps being probed; an SLO breach alerts the thread.
      const monitoring = wf.task(
        'monitoring',
        phase('monitoring', async (run) => {
          if (run.ctx.dryRun) return 'dry run';
          const { scenario } = run;
          const journal = await run.journal();
          // An attempt that took over keeps the period the first one started.
          const startedAt = journal.monitoring?.startedAt ?? run.iso();
          const start = Date.parse(startedAt);
          await run.record((j) => {
            j.monitoring ??= { probes: 0, breaches: [] };
            j.monitoring.startedAt ??= startedAt;
          });
          const end = start + scenario.monitoring.period;
          let breaching = false;
          while (run.now().getTime() < end) {
            const suite = await run.traffic.runSuite('secondary', scenario.monitoring.checks, run.signal);
            const breaches = suite.results.flatMap((r) =>
              r.verdict.breaches.map((b) => `${r.check} (${r.url}): ${b}`),
            );
            const at = run.iso();
            await run.record((j) => {
              j.monitoring!.probes++;
              if (breaches.length) j.monitoring!.breaches.push({ at, what: breaches.join('; ') });
            });
            if (breaches.length && !breaching)
              await deps.notifier.alert({
                runId: run.ctx.runId,
                to: [run.ctx.requester],
                title: `DR drill ${scenario.name}: ${scenario.regions.secondary.name} misses its SLO`,
                text: breaches.join('\n'),
              });
            breaching = breaches.length > 0;
            await pause(
              Math.min(scenario.monitoring.interval, Math.max(0, end - run.now().getTime())),
              run.signal,
            );
          }
          const endedAt = run.iso();
          const after = await run.record((j) => {
            j.monitoring!.endedAt = endedAt;
          });
          return { probes: after.monitoring?.probes ?? 0, breaches: after.monitoring?.breaches.length ?? 0 };
        }),
        { after: [execution, recap], timeoutMs: MONITORING_MAX_MS + HOUR },
      );

      // ---- Cleanup: fail back now, or stay; nobody choosing in time takes the scenario's policy.
      const choice = wf.choice('failback-choice', {
        after: monitoring,
        prompt: 'The secondary serves all traffic. Fail back to the primary now, or stay?',
        options: [
          { id: 'fail-back', label: 'Fail back now' },
          { id: 'stay', label: 'Stay on the secondary' },
          { id: 'policy', label: "As the scenario's policy says" },
        ],
        default: 'policy',
        timeoutMs: FAILBACK_DECISION_MAX_MS,
        timeoutFor: (ctx) => drill(ctx).scenario.failback.decideWithin,
        evidence: async (ctx) => {
          const run = drill(ctx);
          const journal = await run.journal();
          return {
            policy: run.scenario.failback.policy,
            decideWithinMs: run.scenario.failback.decideWithin,
            monitoringProbes: journal.monitoring?.probes ?? 0,
            monitoringBreaches: journal.monitoring?.breaches.length ?? 0,
          };
        },
      });
      const failback = wf.task(
        'failback',
        phase('failback', async (run) => {
          if (run.ctx.dryRun) return 'dry run';
          const picked = run.ctx.output(choice);
          const decision =
            picked === 'fail-back' || picked === 'stay' ? picked : run.scenario.failback.policy;
          const gate = (await deps.runs.get(run.ctx.runId)).gates.find((g) => g.gateId === 'failback-choice');
          const by =
            picked === 'policy' || !gate?.decidedBy
              ? `policy (${run.scenario.failback.policy})`
              : gate.decidedBy;
          const at = run.iso();
          await run.record((j) => {
            j.failback ??= { decision, by, at };
          });
          if (decision === 'stay') return `staying on ${run.scenario.regions.secondary.name}`;
          const { verifiedAt } = await restorePrimary(run, run.scenario.failback.verify);
          await run.record((j) => {
            j.failback!.verifiedAt = verifiedAt;
          });
          return `${run.scenario.regions.primary.name} serves 100% again (verified ${verifiedAt})`;
        }),
        { after: choice, timeoutMs: 10 * 60_000 },
      );

      // ---- Scorecard: measured against the targets, kept per scenario.
      wf.task(
        'scorecard',
        async (ctx) => {
          if (ctx.dryRun || !scenarioTask || !ctx.output(scenarioTask)) return;
          const run = drill(ctx);
          const journal = await run.journal();
          if (journal.steps.length === 0) return;
          const card = scoreDrill({
            runId: ctx.runId,
            requester: ctx.requester,
            finishedAt: run.iso(),
            rtoTargetMs: run.scenario.rto,
            journal,
          });
          const key = scorecardsKey(run.scenario.name);
          await ctx.fenced(async () => {
            // Once per run, even when this task is run again after a worker died.
            const kept = await deps.records.list(key, 20);
            if (!kept.some((c) => Scorecard.safeParse(c).data?.runId === ctx.runId))
              await deps.records.append(key, card, { keep: 500 });
          });
          await run.audit('scorecard', card);
          await postNote(deps.notifier, {
            runId: ctx.runId,
            title: `DR drill ${run.scenario.name}: scorecard`,
            text: describeScorecard(card),
          });
          return card;
        },
        { after: [failback, rollback, recap], trigger: 'all_done', timeoutMs: 60_000 },
      );
    },

    auditDetails: ({ ctx }) => ({ scenario: ctx.params.scenario }),

    notify: ({ ctx }, alert) => ({
      ...alert,
      title: `DR drill ${ctx.params.scenario} failed`,
    }),
  };
}

/** Runs `work` while the load generator sends users' requests through the load balancer. */
async function withLoad<T>(run: DrillRun, work: (load: RecordedLoad) => Promise<T>): Promise<T> {
  const first = run.scenario.shift.checks?.[0];
  const check = run.scenario.suite.checks.find((c) => c.name === first) ?? run.scenario.suite.checks[0]!;
  const load = run.deps.services.startLoad(run.scenario, check);
  try {
    return await work(load);
  } finally {
    await load.stop();
  }
}

/** Where in the scenario an operator fixes a dry run's finding. */
function findingPath(scenario: Scenario, check: 'haproxy' | 'dns' | 'replication', subject: string): string {
  if (check === 'haproxy') return 'traffic.haproxy';
  if (check === 'dns') return 'traffic.dns';
  const name = subject.replace(/^replication /, '');
  const i = scenario.replication.findIndex((l) => l.name === name);
  return i >= 0 ? `replication[${i}]` : 'replication';
}
