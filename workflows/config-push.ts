/**
 * Configuration distribution: `/config push <bundle> to <selector>` (or `/marshal run config-push …`).
 *
 * Inputs   bundle (a directory under bundles/), selector (inventory hosts), and the shared rollout flags.
 *          Dry runs are the engine's: hosts are probed and each shows its diff; nothing changes. A dry run
 *          plans every host in one batch: no canary, no approval, no soak.
 * Phases   validation   load the bundle and check it (schema, rules); resolve the selector, fail closed
 *          pre-checks   lock every host (`host:<name>`) and the file written there (`path:<name>:<target>`),
 *                       then each must answer and meet the bundle's
 *                       requirements (OS, kernel, free disk)
 *          execution    canary → approval (canary results + its diff) → batches with a soak between them;
 *                       per host: back up, stage beside the target, application check, rename, verify
 *                       sha256, reload, health check
 *          audit        the kit's record, with the bundle's name, version and sha256
 *          notify       on failure, the bundle's owners and the requester are alerted
 *          cleanup      on success the backups go; on failure they stay for the operators
 * Changes  one file per host (the bundle's target), plus `<target>.marshal-backup-<runId>` until success.
 * Rollback a host that fails restores its own backup before failing; if the rollout fails, every host it
 *          changed is restored from its backup and reloaded (newest first), and the restore is audited.
 */
import {
  defineWorkflowModule,
  rolloutStrategy,
  settleInParallel,
  type Json,
  type TaskContext,
  type TaskHandle,
  type WorkflowBody,
} from '../src/authoring/index.js';
import { sidePaths } from '../src/bundles/target-path.js';
import type { ConfigPushDeps } from './config-push/deps.js';
import { createInstallStep } from './config-push/install-step.js';
import { BundleWord, ConfigPushParams, SelectorWord } from './config-push/params.js';
import {
  describeBundle,
  pathLocks,
  PinnedBundles,
  pinnedBundles,
  validatedBundle,
  type ValidatedBundle,
} from './config-push/pinned-bundle.js';
import { checkHosts, resolveTargets } from './config-push/prechecks.js';
import { approvalEvidence, bundleIdentityFacts } from './config-push/reporting.js';
import { RemoteConfigFile } from './config-push/remote-file.js';

export { ConfigPushParams } from './config-push/params.js';
export type { ConfigPushDeps, Notifier, HostDirectory } from './config-push/deps.js';

const ROLLOUT = 'execution';
const ROLLBACK = 'rollback';
const APPROVAL_TIMEOUT_MS = 30 * 60_000;
const MAX_APPROVAL_TIMEOUT_MS = 7 * 24 * 3_600_000;

type Ctx = TaskContext<ConfigPushParams>;

export default defineWorkflowModule({
  name: 'config-push',
  summary: 'Push a validated configuration bundle to hosts: canary, approval, batches; rolls back on failure',
  params: ConfigPushParams,
  syntax: {
    positionals: [
      {
        name: 'bundle',
        help: 'a bundle name from the bundle store, e.g. nginx-base or nginx-base@v12 (letters, digits, . _ @ -)',
        word: BundleWord,
      },
      { literal: 'to' },
      {
        name: 'selector',
        help: 'an inventory selector such as `role=web`, `web-0*` or `env=prod,role=db` (quote it if it has spaces)',
        word: SelectorWord,
      },
    ],
    rollout: true,
  },
  slashCommand: {
    command: '/config',
    subcommand: 'push',
    description: 'Push a configuration bundle, canary first',
  },
  workflow: (deps) => createConfigPush(deps),
});

export function createConfigPush(deps: ConfigPushDeps): WorkflowBody<ConfigPushParams> {
  // Handles of the tasks whose outputs later tasks (and the kit's phases) read; set when tasks() runs.
  let bundleTask: TaskHandle<ValidatedBundle> | undefined;
  let targetsTask: TaskHandle<string[]> | undefined;
  let hostsTask: TaskHandle<{ hosts: number; startedAt: string }> | undefined;
  const validatedOf = (ctx: Ctx): ValidatedBundle | undefined =>
    bundleTask && validatedBundle(ctx.output(bundleTask));
  // One load per run where the bot runs the workers too: admit's bundle goes on to validation and pins.
  const pins = new PinnedBundles(deps.bundles);
  const pinned = pinnedBundles(deps.bundles, validatedOf, pins);
  const targets = (ctx: Ctx): string[] => {
    const names = targetsTask && ctx.output(targetsTask);
    if (!Array.isArray(names) || names.length === 0)
      throw new Error(`task ${ctx.taskId} ran without the hosts of ${targetsTask?.id ?? 'validation'}`);
    return names;
  };
  const now = (): string => (deps.clock?.() ?? new Date()).toISOString();

  return {
    // Two pushes of one bundle at once would race on the same file.
    locks: (params) => [`bundle:${params.bundle}`],
    // A misspelled or invalid bundle is refused before a run exists: no run, record or alert for a typo.
    // What admit loaded is handed on to the validation task (in this process, for a few seconds); a worker
    // elsewhere loads it again, and the validation task pins what it got either way.
    admit: async (params) => {
      pins.admit(await deps.bundles.load(params.bundle));
    },
    auditKind: 'config.push',

    tasks(wf) {
      const validation = wf.group('validation', (g) => {
        bundleTask = g.task('bundle', async (ctx) => describeBundle(await pins.validate(ctx.params.bundle)), {
          timeoutMs: 60_000,
        });
        targetsTask = g.task(
          'targets',
          (ctx) => Promise.resolve(resolveTargets(deps.inventory, ctx.params.selector)),
          {
            timeoutMs: 60_000,
          },
        );
      });

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
          // `--approval-timeout` (shared rollout flag, at most 7 days), else half an hour.
          timeoutMs: MAX_APPROVAL_TIMEOUT_MS,
          timeoutFor: (ctx) => ctx.params.approvalTimeoutMs ?? APPROVAL_TIMEOUT_MS,
          evidence: async (ctx) =>
            approvalEvidence(deps, ctx, await pinned(ctx), ROLLOUT, targets(ctx).length),
          // What ships, read from the bundle store now: a bundle republished under the gate is another plan.
          plan: async (ctx) => bundleIdentityFacts(await deps.bundles.load(ctx.params.bundle)),
        },
        step: createInstallStep(deps, pinned),
      });

      // Runs when the canary, the approval or a batch failed (a rejected canary is restored too).
      wf.rollback(ROLLBACK, { of: execution, timeoutMs: 30 * 60_000 });
    },

    auditDetails: ({ ctx }) => {
      const bundle = validatedOf(ctx);
      const started = hostsTask && ctx.output(hostsTask);
      const described: Json = bundle
        ? { name: bundle.name, version: bundle.version, sha256: bundle.sha256, target: bundle.target }
        : { name: ctx.params.bundle };
      return {
        bundle: described,
        selector: ctx.params.selector,
        startedAt: started?.startedAt ?? null,
      };
    },

    // The bundle's owners (or, before the bundle was read, only the requester) hear about a failure.
    notify: ({ ctx }, alert) => {
      const bundle = validatedOf(ctx);
      const what = bundle ? `${bundle.name} ${bundle.version}` : ctx.params.bundle;
      const owners = bundle && !ctx.dryRun ? bundle.owners : [];
      return {
        to: [...new Set([...owners, ctx.requester])],
        title: `Config push failed: ${what}`,
        text: `Config push of ${what} to "${ctx.params.selector}":\n${alert.text}`,
      };
    },

    async cleanup({ ctx, outcome }) {
      const bundle = validatedOf(ctx);
      if (!bundle || ctx.dryRun) return { backupsRemoved: 0, cleanupFailures: [] };
      // Only hosts the rollout reached have side files; hosts stopped by the pre-checks were never touched.
      const all = outcome.touched;
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
          removeBackup ? [paths.candidate, paths.restore, paths.backup] : [paths.candidate, paths.restore],
        );
        return removeBackup;
      });
      return {
        backupsRemoved: results.filter((r) => r.status === 'fulfilled' && r.value).length,
        cleanupFailures: results.flatMap((r, i) => (r.status === 'rejected' ? [all[i] ?? '?'] : [])),
      };
    },
  };
}
