/**
 * Configuration distribution: `/config push <bundle> <selector>`.
 *
 * Inputs   bundle (a directory under bundles/), selector (inventory hosts), canary (N or N%), batches
 *          (Ansible serial, e.g. 25%,100%), soakMs (soak between batches, ms), concurrency, maxFailPercent.
 *          Dry runs are the engine's: hosts are probed and each shows its diff; nothing changes. A dry run
 *          plans every host in one batch: no canary, no approval, no soak.
 * Phases   validation   load the bundle and check it (schema, rules); resolve the selector, fail closed
 *          pre-checks   lock every host (`host:<name>`) and the file written there (`path:<name>:<target>`),
 *                       then each must answer and meet the bundle's
 *                       requirements (OS, kernel, free disk)
 *          execution    canary → approval (canary results + its diff) → batches with a soak between them;
 *                       per host: back up, stage beside the target, application check, rename, verify
 *                       sha256, reload, health check
 *          audit        who asked, who approved, bundle name/version/sha256, each host's result
 *          notify       on failure, the bundle's owners and the requester are alerted
 *          cleanup      on success the backups go; on failure they stay for the operators; metrics recorded
 * Changes  one file per host (the bundle's target), plus `<target>.marshal-backup-<runId>` until success.
 * Rollback a host that fails restores its own backup before failing; if the rollout fails, every host it
 *          changed is restored from its backup and reloaded (newest first), and the restore is audited.
 */
import {
  defineWorkflow,
  rolloutStrategy,
  type TaskContext,
  type TaskHandle,
} from '../src/authoring/index.js';
import { sidePaths } from '../src/bundles/target-path.js';
import type { ConfigPushDeps } from './config-push/deps.js';
import { createInstallStep } from './config-push/install-step.js';
import { ConfigPushParams } from './config-push/params.js';
import {
  describeBundle,
  pathLocks,
  pinnedBundles,
  validatedBundle,
  type ValidatedBundle,
} from './config-push/pinned-bundle.js';
import { checkHosts, resolveTargets } from './config-push/prechecks.js';
import { alertOnFailure, approvalEvidence, recordAudit, runOutcome } from './config-push/reporting.js';
import { RemoteConfigFile } from './config-push/remote-file.js';
import { settleInParallel } from './config-push/in-parallel.js';

export { ConfigPushParams } from './config-push/params.js';
export type { ConfigPushDeps, Notifier, HostDirectory } from './config-push/deps.js';

const ROLLOUT = 'execution';
const ROLLBACK = 'rollback';
const APPROVAL_TIMEOUT_MS = 30 * 60_000;

export function createConfigPushWorkflow(deps: ConfigPushDeps) {
  const now = (): string => (deps.clock?.() ?? new Date()).toISOString();

  return defineWorkflow({
    name: 'config-push',
    summary:
      'Push a validated configuration bundle to hosts: canary, approval, batches; rolls back on failure',
    params: ConfigPushParams,
    // Two pushes of one bundle at once would race on the same file.
    locks: (params) => [`bundle:${params.bundle}`],

    tasks(wf) {
      let bundleTask: TaskHandle<ValidatedBundle> | undefined;
      let targetsTask: TaskHandle<string[]> | undefined;
      const validation = wf.group('validation', (g) => {
        bundleTask = g.task(
          'bundle',
          async (ctx) => describeBundle(await deps.bundles.load(ctx.params.bundle)),
          {
            timeoutMs: 60_000,
          },
        );
        targetsTask = g.task(
          'targets',
          (ctx) => Promise.resolve(resolveTargets(deps.inventory, ctx.params.selector)),
          {
            timeoutMs: 60_000,
          },
        );
      });
      const validatedOf = (ctx: TaskContext<ConfigPushParams>) =>
        bundleTask && validatedBundle(ctx.output(bundleTask));
      const pinned = pinnedBundles(deps.bundles, validatedOf);
      const targets = (ctx: TaskContext<ConfigPushParams>): string[] => {
        const names = targetsTask && ctx.output(targetsTask);
        if (!Array.isArray(names) || names.length === 0)
          throw new Error(`task ${ctx.taskId} ran without the hosts of ${targetsTask?.id ?? 'validation'}`);
        return names;
      };

      let hostsTask: TaskHandle<{ hosts: number; startedAt: string }> | undefined;
      const prechecks = wf.group(
        'pre-checks',
        (g) => {
          const locks = g.task('locks', async (ctx) => {
            // A dry run changes nothing, so it holds nothing that would block a real push.
            if (ctx.dryRun) return;
            const hosts = targets(ctx);
            // The host locks keep pushes apart; the path locks name the file each host gets written, so
            // two bundles that write one file on one host never run at once, whatever else locks hosts.
            const bundle = validatedOf(ctx);
            if (!bundle) throw new Error(`task ${ctx.taskId} ran without the bundle's validation`);
            await ctx.lock(
              [...hosts.map((name) => `host:${name}`), ...pathLocks(hosts, bundle.target)],
              `config push of ${ctx.params.bundle}`,
            );
          });
          hostsTask = g.task(
            'hosts',
            async (ctx) => {
              const bundle = await pinned(ctx);
              const hosts = targets(ctx).map((name) => deps.inventory.get(name));
              const passed = await checkHosts(deps.executor, hosts, bundle, {
                concurrency: Math.max(ctx.params.concurrency, 10),
                signal: ctx.signal,
              });
              return { hosts: passed.length, startedAt: now() };
            },
            { after: locks, timeoutMs: 15 * 60_000 },
          );
        },
        { after: validation },
      );

      const execution = wf.rollout(ROLLOUT, {
        after: prechecks,
        targets,
        // A dry run plans every host in one go, with no approval to wait for and no soak (rolloutStrategy).
        strategy: (ctx) => rolloutStrategy(ctx.params, ctx),
        approval: {
          // Fails closed: nobody deciding within this time rejects, and the canary is rolled back.
          timeoutMs: APPROVAL_TIMEOUT_MS,
          evidence: async (ctx) =>
            approvalEvidence(deps, ctx, await pinned(ctx), ROLLOUT, targets(ctx).length),
        },
        step: createInstallStep(deps, pinned),
      });

      // Runs when the canary, the approval or a batch failed (a rejected canary is restored too).
      const rollback = wf.rollback(ROLLBACK, { of: execution, timeoutMs: 30 * 60_000 });

      const audit = wf.task(
        'audit',
        async (ctx) => {
          const outcome = runOutcome(await deps.runs.get(ctx.runId), ROLLOUT, ROLLBACK);
          const started = hostsTask && ctx.output(hostsTask);
          await recordAudit(deps, ctx, validatedOf(ctx), outcome, started?.startedAt ?? now());
        },
        { after: [execution, rollback], trigger: 'all_done' },
      );

      const notify = wf.task(
        'notify',
        async (ctx) => {
          const outcome = runOutcome(await deps.runs.get(ctx.runId), ROLLOUT, ROLLBACK);
          return { alerted: await alertOnFailure(deps, ctx, validatedOf(ctx), outcome) };
        },
        { after: audit, trigger: 'all_done' },
      );

      wf.task(
        'cleanup',
        async (ctx) => {
          const outcome = runOutcome(await deps.runs.get(ctx.runId), ROLLOUT, ROLLBACK);
          const bundle = validatedOf(ctx);
          const metrics = {
            hosts: outcome.touchedHosts.length,
            changed: outcome.changedHosts.length,
            failed: outcome.failedHosts.length,
            backupsRemoved: 0,
          };
          if (!bundle || ctx.dryRun) return metrics;
          // Only hosts the rollout reached have side files; hosts stopped by the pre-checks were never touched.
          const all = outcome.touchedHosts;
          const changed = new Set(ctx.changedTargets(ROLLOUT));
          const content = await pinned(ctx);
          // Staged and restore copies are never needed after the run; backups only until it succeeded.
          const results = await settleInParallel(all, Math.max(ctx.params.concurrency, 10), async (name) => {
            const paths = sidePaths(bundle.target, ctx.runId);
            const file = new RemoteConfigFile(
              deps.executor,
              deps.inventory.get(name),
              content,
              ctx.runId,
              ctx.signal,
            );
            const removeBackup = outcome.succeeded && changed.has(name);
            await file.removeSideFiles(
              removeBackup
                ? [paths.candidate, paths.restore, paths.backup]
                : [paths.candidate, paths.restore],
            );
            return removeBackup;
          });
          metrics.backupsRemoved = results.filter((r) => r.status === 'fulfilled' && r.value).length;
          const cleanupFailures = results.flatMap((r, i) => (r.status === 'rejected' ? [all[i] ?? '?'] : []));
          ctx.log.info({ ...metrics, cleanupFailures, succeeded: outcome.succeeded }, 'config push finished');
          return { ...metrics, cleanupFailures };
        },
        { after: notify, trigger: 'all_done' },
      );
    },
  });
}
