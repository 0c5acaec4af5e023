/**
 * OS upgrade: `/osupgrade <selector> to <release> [--canary 1] [--batches 5%,25%,100%] [--delay 10m]
 * [--max-fail 2%] [--dry-run] [--include-failed] [--allow-downgrade]` (or `marshal run os-upgrade …`).
 *
 * Phases   validation   the release is in the signed catalog (Ed25519, key in Marshal's config), certified
 *                       (who, when, which checks), not revoked; the selector matches hosts
 *          pre-checks   each host is locked for this run (held by another run: left out), answers, did not
 *                       fail this release before (unless --include-failed, recorded), runs no critical
 *                       workload, has room for the image, runs an older version (unless
 *                       --allow-downgrade); hosts left out are listed in the thread with the reason
 *          execution    canary → approval (the canary's timings and health) → batches; per host: fetch,
 *                       verify sha256 on the host, install into the inactive slot, next boot, reboot, wait
 *                       for a NEW boot id, verify version and health, mark good; phase times in the thread,
 *                       a host 3× slower than its batch's median called out while the run goes on
 *          audit        the kit's record with the release and its certification, plus one record per host
 *          notify       the requester hears of a failure
 *          cleanup      images removed from hosts; failures remembered per host and release; history kept
 *                       for `/osupgrade status`; a summary per data center
 * Changes  the host's inactive slot and its boot loader's choice; the image in the download directory
 *          until cleanup.
 * Rollback changed hosts boot back into the previous slot, newest first (ten at once), verified on the old version.
 */
import {
  LockConflict,
  ValidationError,
  ErrorCode,
  defineWorkflowModule,
  hostLocks,
  rolloutStrategy,
  sh,
  type Json,
  type MarshalDeps,
  type TaskContext,
  type TaskHandle,
  type WorkflowBody,
} from '../src/authoring/index.js';
import {
  adoptionChart,
  failedKey,
  formatStatus,
  HISTORY_KEEP,
  historyKey,
  hostRecordJson,
  parseHistory,
  releaseStatus,
  type HostRecord,
  type OsUpgradeSettings,
} from '../src/osupgrade/index.js';
import { OsUpgradeParams, SelectorWord } from './os-upgrade/params.js';
import { checkHosts, formatSkipped, type PrecheckResult } from './os-upgrade/prechecks.js';
import { chooseRelease, imagePath, readSettings, type ChosenRelease } from './os-upgrade/release.js';
import { BatchCharts } from './os-upgrade/batch-charts.js';
import { approvalEvidence } from './os-upgrade/reporting.js';
import { createUpgradeStep } from './os-upgrade/upgrade-step.js';

export { OsUpgradeParams } from './os-upgrade/params.js';

const ROLLOUT = 'execution';
const APPROVAL_TIMEOUT_MS = 60 * 60_000;

type Ctx = TaskContext<OsUpgradeParams>;

export default defineWorkflowModule({
  name: 'os-upgrade',
  summary:
    'Upgrade hosts to a certified OS release: canary, approval, batches; reboot and wait; rolls back to the previous slot',
  params: OsUpgradeParams,
  syntax: {
    positionals: [
      {
        name: 'selector',
        help: 'an inventory selector such as `role=web`, `dc=fra1` or `web-0*`',
        word: SelectorWord,
      },
      { literal: 'to' },
      { name: 'release', help: 'a release of the signed release catalog, e.g. debian-12.7' },
    ],
    flags: {
      'include-failed': {
        kind: 'boolean',
        help: 'also try hosts that failed an upgrade to this release before',
      },
      'allow-downgrade': { kind: 'boolean', help: 'install a release older than what a host runs' },
    },
    rollout: true,
  },
  slashCommand: {
    command: '/osupgrade',
    description: 'Upgrade hosts to a certified OS release, canary first',
  },
  workflow: (deps) => createOsUpgrade(deps),
});

export function createOsUpgrade(deps: MarshalDeps): WorkflowBody<OsUpgradeParams> {
  let releaseTask: TaskHandle<ChosenRelease> | undefined;
  let targetsTask: TaskHandle<string[]> | undefined;
  let locksTask: TaskHandle<Record<string, string>> | undefined;
  let hostsTask: TaskHandle<PrecheckResult> | undefined;
  let parsedSettings: OsUpgradeSettings | undefined;
  const settings = (): OsUpgradeSettings => (parsedSettings ??= readSettings(deps.settings));
  const need = <O>(ctx: Ctx, task: TaskHandle<O> | undefined, what: string): Exclude<O, void> => {
    const out = task && ctx.output(task);
    if (out === undefined) throw new Error(`task ${ctx.taskId} ran without ${what}`);
    return out;
  };
  const release = (ctx: Ctx): ChosenRelease => need(ctx, releaseTask, 'the release of validation');
  const prechecks = (ctx: Ctx): PrecheckResult => need(ctx, hostsTask, 'the pre-checks');
  const dcOf = (host: string): string => {
    const value = deps.inventory.get(host).vars[settings().dcVar];
    return typeof value === 'string' && value ? value : '(no dc)';
  };
  /** The selector's hosts by data center: what the percentages are of. */
  const population = (ctx: Ctx): { name: string; dc: string }[] =>
    deps.inventory.select(ctx.params.selector).map((h) => ({ name: h.name, dc: dcOf(h.name) }));
  const history = async (release: string): Promise<HostRecord[]> =>
    parseHistory(await deps.records.list(historyKey(release)));
  const charts = new BatchCharts({
    records: deps.records,
    notifier: deps.notifier,
    runs: deps.runs,
    chart: async (ctx) => {
      const name = release(ctx).name;
      return adoptionChart(name, await history(name), population(ctx));
    },
  });

  return {
    locks: (params) => [`os-upgrade:${params.selector}`],
    auditKind: 'os.upgrade',

    tasks(wf) {
      const validation = wf.group('validation', (g) => {
        releaseTask = g.task(
          'release',
          (ctx) => chooseRelease(settings(), deps.dirs.config, ctx.params.release),
          {
            timeoutMs: 60_000,
          },
        );
        targetsTask = g.task(
          'targets',
          (ctx) => {
            const names = [...new Set(deps.inventory.select(ctx.params.selector).map((h) => h.name))];
            if (names.length === 0)
              throw new ValidationError(
                'OS upgrade',
                [{ path: 'selector', message: `"${ctx.params.selector}" matches no host in the inventory` }],
                { code: ErrorCode.NoHostsMatched },
              );
            return Promise.resolve(names);
          },
          { timeoutMs: 60_000 },
        );
      });

      const checks = wf.group(
        'pre-checks',
        (g) => {
          // One host at a time: a host another run holds is left out, the others are upgraded.
          locksTask = g.task('locks', async (ctx) => {
            const heldElsewhere: Record<string, string> = {};
            if (ctx.dryRun) return heldElsewhere;
            const names = need(ctx, targetsTask, 'the hosts');
            // All at once (one round trip for a whole data center); host by host only when another run
            // holds some of them, to know which.
            try {
              await ctx.lock(hostLocks(names), `os upgrade to ${ctx.params.release}`);
              return heldElsewhere;
            } catch (err) {
              if (!(err instanceof LockConflict)) throw err;
            }
            for (const name of names) {
              try {
                await ctx.lock(hostLocks([name]), `os upgrade to ${ctx.params.release}`);
              } catch (err) {
                if (!(err instanceof LockConflict)) throw err;
                heldElsewhere[name] = `locked by another run: ${err.message}`;
              }
            }
            return heldElsewhere;
          });
          hostsTask = g.task(
            'hosts',
            async (ctx) => {
              const names = need(ctx, targetsTask, 'the hosts');
              const locked = new Map(Object.entries(need(ctx, locksTask, 'the locks')));
              const result = await checkHosts(
                { executor: deps.executor, records: deps.records },
                ctx,
                settings(),
                release(ctx),
                names.map((n) => deps.inventory.get(n)),
                locked,
              );
              if (result.includedFailed.length > 0)
                await ctx.fenced(() =>
                  deps.audit.append({
                    runId: ctx.runId,
                    at: new Date().toISOString(),
                    kind: 'os.include_failed',
                    actor: ctx.requester,
                    data: { release: ctx.params.release, hosts: result.includedFailed },
                  }),
                );
              if (result.skipped.length > 0)
                await ctx.fenced(() =>
                  deps.notifier.alert({
                    runId: ctx.runId,
                    to: [],
                    title: `${result.skipped.length} host(s) left out of the upgrade to ${ctx.params.release}`,
                    text: formatSkipped(result.skipped),
                  }),
                );
              if (result.eligible.length === 0)
                throw new ValidationError(
                  'OS upgrade',
                  [
                    {
                      path: 'selector',
                      message: `no host of "${ctx.params.selector}" passed the pre-checks:\n${formatSkipped(result.skipped)}`,
                    },
                  ],
                  { code: ErrorCode.PrecheckFailed },
                );
              return result;
            },
            { after: locksTask, timeoutMs: 15 * 60_000 },
          );
        },
        { after: validation },
      );

      const execution = wf.rollout(ROLLOUT, {
        after: checks,
        targets: (ctx) => prechecks(ctx).eligible,
        strategy: (ctx) => rolloutStrategy(ctx.params, ctx),
        approval: {
          timeoutMs: APPROVAL_TIMEOUT_MS,
          evidence: (ctx) => approvalEvidence(deps.runs, ctx, release(ctx), prechecks(ctx)),
        },
        step: createUpgradeStep(
          {
            executor: deps.executor,
            blocks: deps.blocks,
            notifier: deps.notifier,
            runs: deps.runs,
            records: deps.records,
            dc: dcOf,
            charts,
            rolloutId: ROLLOUT,
            log: deps.log,
          },
          { settings, release, prechecks },
        ),
      });

      // Each restore waits out a reboot: one at a time, 200 changed hosts would take over half an hour.
      // Ten at once, started newest first, boot a fleet back in minutes.
      wf.rollback('rollback', { of: execution, timeoutMs: 60 * 60_000, concurrency: 10 });
    },

    auditDetails: ({ ctx }) => {
      const chosen = releaseTask && ctx.output(releaseTask);
      const checked = hostsTask && ctx.output(hostsTask);
      return {
        release: chosen ?? { name: ctx.params.release },
        selector: ctx.params.selector,
        includeFailed: ctx.params.includeFailed,
        allowDowngrade: ctx.params.allowDowngrade,
        skipped: checked?.skipped ?? [],
        includedFailed: checked?.includedFailed ?? [],
      };
    },

    notify: ({ ctx }, alert) => ({
      to: [ctx.requester],
      title: `OS upgrade to ${ctx.params.release} failed`,
      text: `OS upgrade of "${ctx.params.selector}" to ${ctx.params.release}:\n${alert.text}`,
    }),

    async cleanup({ ctx, outcome }): Promise<Json> {
      const chosen = releaseTask && ctx.output(releaseTask);
      const checked = hostsTask && ctx.output(hostsTask);
      if (!chosen || !checked || ctx.dryRun) return { imagesRemoved: 0 };
      const file = imagePath(settings(), chosen);
      // An upgraded host removed its image once installed; the others the rollout reached may hold one (a
      // host that is down keeps its copy).
      const changed = new Set(outcome.changed);
      const removed = await Promise.allSettled(
        outcome.touched
          .filter((name) => !changed.has(name))
          .map((name) =>
            deps.executor.exec(deps.inventory.get(name), sh`rm -f -- ${file}`, {
              signal: ctx.signal,
              timeoutMs: 30_000,
            }),
          ),
      );
      const at = new Date().toISOString();
      const errors = new Map(outcome.targets.map((t) => [t.target, t.error ?? 'failed']));
      const durations = new Map(outcome.targets.map((t) => [t.target, t.durationMs]));
      const ends: HostRecord[] = [
        ...outcome.failed.map((host) => ({
          runId: ctx.runId,
          host,
          dc: dcOf(host),
          result: 'failed' as const,
          at,
          durationMs: durations.get(host),
          reason: errors.get(host),
        })),
        ...checked.skipped.map((s) => ({
          runId: ctx.runId,
          host: s.host,
          dc: dcOf(s.host),
          result: 'skipped' as const,
          at,
          reason: s.reason,
        })),
      ];
      await ctx.fenced(async () => {
        for (const host of outcome.failed)
          await deps.records.set(failedKey(host, chosen.name), {
            runId: ctx.runId,
            at,
            error: errors.get(host) ?? 'failed',
          });
        for (const end of ends)
          await deps.records.append(historyKey(chosen.name), hostRecordJson(end), { keep: HISTORY_KEEP });
        // The final record per host: done, failed or skipped, with its time. Appended together: the audit
        // log queues concurrent appends in call order and sends them in batches, each on the head the one
        // before left (RedisAuditLog.record), so they do not race for the head and the chain holds them in
        // this order. Every one is tried; the first failure is raised once all have settled, so none is
        // still being written when this returns.
        const appended = await Promise.allSettled([
          ...outcome.targets.map((t) =>
            deps.audit.append({
              runId: ctx.runId,
              at,
              kind: 'os.host',
              actor: 'marshal',
              target: t.target,
              data: {
                release: chosen.name,
                result: t.ok ? (t.restore === 'restored' ? 'rolled_back' : 'done') : 'failed',
                durationMs: t.durationMs,
                summary: t.summary ?? null,
                error: t.error ?? null,
              },
            }),
          ),
          ...checked.skipped.map((s) =>
            deps.audit.append({
              runId: ctx.runId,
              at,
              kind: 'os.host',
              actor: 'marshal',
              target: s.host,
              data: { release: chosen.name, result: 'skipped', reason: s.reason },
            }),
          ),
        ]);
        const failed = appended.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
      });
      const records = await history(chosen.name);
      const hosts = population(ctx);
      const summary = formatStatus(chosen.name, releaseStatus(records, hosts));
      await ctx.fenced(() =>
        deps.notifier.alert({
          runId: ctx.runId,
          to: [],
          title: `OS upgrade to ${chosen.name}: ${outcome.succeeded ? 'done' : 'not done'}`,
          text: `${summary}\nThis run: ${outcome.changed.length} upgraded, ${outcome.failed.length} failed, ${outcome.restored.length} booted back, ${checked.skipped.length} left out.`,
        }),
      );
      // The release's progress through each data center, as a chart in the thread.
      const chart = await adoptionChart(chosen.name, records, hosts);
      if (chart)
        await ctx.fenced(() =>
          deps.notifier.image({
            runId: ctx.runId,
            title: `${chosen.name}: % of each data center upgraded`,
            png: chart.png,
            altText: chart.altText,
          }),
        );
      return {
        imagesRemoved: removed.filter((r) => r.status === 'fulfilled' && r.value.exitCode === 0).length,
        upgraded: outcome.changed.length,
        failed: outcome.failed.length,
        skipped: checked.skipped.length,
      };
    },
  };
}
