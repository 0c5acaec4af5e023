import { z } from 'zod';
import {
  ErrorCode,
  NO_RETRY,
  probeFor,
  sh,
  type HostBlocks,
  type HostExecutor,
  type HostStep,
  type HostStepContext,
  type HostStepOutcome,
  type MarshalDeps,
  type Notifier,
  type RunReader,
  type ShellCommand,
  type WorkflowRecords,
} from '../../src/authoring/index.js';
import {
  HISTORY_KEEP,
  UpgradeStepFailed,
  historyKey,
  hostRecordJson,
  profileCommand,
  seconds,
  type HostRecord,
  type OsUpgradeSettings,
  type ProfileCommand,
} from '../../src/osupgrade/index.js';
import type { BatchCharts } from './batch-charts.js';
import type { OsUpgradeParams } from './params.js';
import type { PrecheckResult } from './prechecks.js';
import { imagePath, type ChosenRelease } from './release.js';
import { SlowHostWatch, type Watched } from './slow-hosts.js';

type Ctx = HostStepContext<OsUpgradeParams>;

/** Seen back at once: the first looks after the reboot are 100 ms apart, never more than 250 ms. */
export const REBOOT_POLL = { firstPollMs: 100, pollIntervalMs: 250 } as const;

/** Recorded before the install (`installing`) and before the reboot (with the boot id it must leave). */
const StepCheckpoint = z.object({
  phase: z.enum(['installing', 'rebooting']).optional(),
  bootId: z.string().optional(),
});

export interface StepDeps {
  executor: HostExecutor;
  blocks: HostBlocks;
  notifier: Notifier;
  runs: RunReader;
  records: WorkflowRecords;
  dc(host: string): string;
  /** The chart at each batch of a long run. */
  charts: BatchCharts;
  /** The rollout's id (whose stage progress tells a batch's size). */
  rolloutId: string;
  log: Pick<MarshalDeps['log'], 'warn'>;
}

/** What the step reads from the run's earlier tasks. */
export interface StepInputs {
  settings(ctx: Ctx): OsUpgradeSettings;
  release(ctx: Ctx): ChosenRelease;
  prechecks(ctx: Ctx): PrecheckResult;
}

/**
 * One host's upgrade, as the runbook says: fetch the image and verify its sha256 on the host, install it
 * into the inactive slot, make that the next boot, reboot, wait for a NEW boot id, verify the running
 * version and health, mark the slot good. The boot id is checkpointed before the reboot, so a takeover
 * after a worker died never reboots the host a second time.
 */
export function createUpgradeStep(deps: StepDeps, inputs: StepInputs): HostStep<OsUpgradeParams> {
  const command = async (
    ctx: Ctx,
    name: ProfileCommand,
    values: Record<string, string>,
    timeoutMs: number,
    code: ErrorCode = ErrorCode.CommandFailed,
    /** Run after the command, in the same session, when it succeeded (its exit status is the command's). */
    then?: ShellCommand,
  ): Promise<string> => {
    const own = profileCommand(inputs.settings(ctx).profile, name, values);
    const r = await deps.executor.exec(ctx.host, then ? sh`${own} && ${then}` : own, {
      signal: ctx.signal,
      timeoutMs,
      maxOutputBytes: 64 * 1024,
    });
    if (r.exitCode !== 0)
      throw new UpgradeStepFailed(
        code,
        ctx.target,
        name,
        `exit ${r.exitCode ?? r.signal}${r.stderr.trim() ? `: ${r.stderr.trim().slice(0, 300)}` : ''}`,
      );
    return r.stdout.trim();
  };
  const version = (ctx: Ctx): Promise<string> => command(ctx, 'currentVersion', {}, 30_000);
  const previousVersion = (ctx: Ctx): string => inputs.prechecks(ctx).versions[ctx.target] ?? 'unknown';

  const healthy = async (ctx: Ctx, signal: AbortSignal): Promise<string> => {
    const settings = inputs.settings(ctx);
    if (settings.health === 'none') return 'ssh';
    // Probed as soon as the host answers on its new boot; a rise of more passes costs the interval each.
    const done = await deps.blocks.waitFor(
      probeFor(ctx.host, settings.health),
      { signal },
      {
        successes: settings.healthSuccesses,
        intervalMs: settings.healthIntervalMs,
        timeoutMs: 2 * 60_000,
      },
    );
    return done.last;
  };

  /** After the host is back: it must run the release and pass its health check; then its slot is kept. */
  const finish = async (ctx: Ctx, phases: Record<string, string>): Promise<void> => {
    const release = inputs.release(ctx);
    // Both at once, as soon as the host answers: the version over SSH, the health check from here. A host
    // on the wrong version fails at once, without waiting out its health check.
    const stop = new AbortController();
    const health = healthy(ctx, AbortSignal.any([ctx.signal, stop.signal]));
    health.catch(() => undefined);
    try {
      const running = await version(ctx);
      if (running !== release.version)
        throw new UpgradeStepFailed(
          ErrorCode.HealthCheckFailed,
          ctx.target,
          'verify',
          `came back running ${running}, not ${release.version}: it booted the old slot`,
        );
      await health;
    } finally {
      stop.abort();
    }
    phases.healthy = new Date().toISOString();
    await command(ctx, 'markGood', {}, 60_000);
  };

  const report = async (ctx: Ctx, startedAt: number, phases: Record<string, string>): Promise<string> => {
    const durationMs = Date.now() - startedAt;
    const release = inputs.release(ctx);
    const record: HostRecord = {
      runId: ctx.runId,
      host: ctx.target,
      dc: deps.dc(ctx.target),
      result: 'done',
      at: new Date().toISOString(),
      durationMs,
      phases,
    };
    if (!ctx.dryRun)
      await ctx.fenced(() =>
        deps.records.append(historyKey(release.name), hostRecordJson(record), { keep: HISTORY_KEEP }),
      );
    return durationMs.toString();
  };

  // One slow host points to the host, many to the release: said in the thread while the run goes on.
  const slow = new SlowHostWatch(deps.runs, 1000, (err) => deps.log.warn({ err }, 'slow-host watch'));
  const watched = (ctx: Ctx, startedAt: number): Watched => {
    const factor = inputs.settings(ctx).slowFactor;
    return {
      runId: ctx.runId,
      target: ctx.target,
      rolloutId: deps.rolloutId,
      stage: ctx.stage,
      startedAt,
      factor,
      callOut: (elapsedMs, medianMs, peers) =>
        ctx.fenced(() =>
          deps.notifier.alert({
            runId: ctx.runId,
            to: [],
            title: `Slow host: ${ctx.target}`,
            text: `${ctx.target} has taken ${seconds(elapsedMs)} so far, ${factor}× or more the median of ${seconds(medianMs)} of ${peers} host(s) of its batch; the run goes on. One slow host points to the host, many to the release.`,
          }),
        ),
    };
  };

  const stamp = (phases: Record<string, string>, name: string): void => {
    phases[name] = new Date().toISOString();
  };
  const timing = (startedAt: number, phases: Record<string, string>): string => {
    let last = startedAt;
    return ['fetch', 'install', 'reboot', 'back', 'healthy']
      .filter((p) => phases[p])
      .map((p) => {
        const t = Date.parse(phases[p]!);
        const part = `${p} ${seconds(t - last)}`;
        last = t;
        return part;
      })
      .join(', ');
  };

  /**
   * Hosts `check` found rebooted into the release (a takeover after a worker died while the host was
   * down): `apply`, run next in the same job, only owes them the checks. Any other `apply` starts from
   * the beginning: the pre-checks saw an older version and nothing was checkpointed, so it does not spend
   * a round trip asking the host its version first.
   */
  const owedChecks = new Set<string>();

  const upgrade = async (ctx: Ctx, startedAt: number): Promise<HostStepOutcome> => {
    const phases: Record<string, string> = { start: new Date(startedAt).toISOString() };
    const settings = inputs.settings(ctx);
    const release = inputs.release(ctx);
    const file = imagePath(settings, release);
    const from = previousVersion(ctx);
    // A takeover after the reboot (check found a new boot): the release runs; only the checks are owed.
    if (owedChecks.delete(`${ctx.runId}\u0000${ctx.target}`)) {
      stamp(phases, 'back');
      await finish(ctx, phases);
      await report(ctx, startedAt, phases);
      return {
        changed: true,
        summary: `${from} → ${release.version} (finished after a takeover)`,
        data: { previousVersion: from, phases, bootId: null },
      };
    }

    await command(ctx, 'fetch', { url: release.url, file }, settings.profile.timeouts.fetchSeconds * 1000);
    const verify = await deps.executor.exec(
      ctx.host,
      profileCommand(settings.profile, 'verify', { file, sha256: release.sha256 }),
      { signal: ctx.signal, timeoutMs: 5 * 60_000, maxOutputBytes: 16 * 1024 },
    );
    if (verify.exitCode !== 0) {
      await deps.executor.exec(ctx.host, sh`rm -f -- ${file}`, { signal: ctx.signal, timeoutMs: 30_000 });
      throw new UpgradeStepFailed(
        ErrorCode.ChecksumMismatch,
        ctx.target,
        'verify',
        `the downloaded image does not have sha256 ${release.sha256} (the catalog's); its slots were not touched`,
      );
    }
    stamp(phases, 'fetch');

    // From the install on, the host's next boot may be the new slot: the rollback must visit it.
    await ctx.checkpoint({ phase: 'installing' });
    try {
      await command(ctx, 'install', { file }, settings.profile.timeouts.installSeconds * 1000);
      // The image is installed: it goes now, on the connection at hand, not in a sweep of every host at
      // the end (whose connections have long been closed). A failed host keeps it for the cleanup.
      await command(
        ctx,
        'setNextBoot',
        {},
        60_000,
        ErrorCode.CommandFailed,
        sh`{ rm -f -- ${file} || true; }`,
      );
    } catch (err) {
      await command(ctx, 'cancelNextBoot', {}, 60_000).catch(() => undefined);
      await ctx.checkpoint(null);
      throw err;
    }
    stamp(phases, 'install');

    stamp(phases, 'reboot');
    const rebooted = await deps.blocks.reboot(
      ctx.host,
      {
        signal: ctx.signal,
        checkpoint: (data) => ctx.checkpoint({ ...(data as object), phase: 'rebooting' }),
      },
      {
        timeoutMs: settings.rebootTimeoutMs,
        command: profileCommand(settings.profile, 'reboot', {}),
        ...REBOOT_POLL,
      },
    );
    stamp(phases, 'back');
    await finish(ctx, phases);
    await report(ctx, startedAt, phases);
    return {
      changed: true,
      summary: `${from} → ${release.version} in ${seconds(Date.now() - startedAt)}: ${timing(startedAt, phases)} (boot ${rebooted.previousBootId.slice(0, 8)} → ${rebooted.bootId.slice(0, 8)})`,
      data: { previousVersion: from, phases, bootId: rebooted.bootId },
    };
  };

  return {
    name: 'upgrade OS',
    timeoutMs: 45 * 60_000,
    // Never again blindly: a second attempt could reboot the host a second time.
    retry: NO_RETRY,

    async plan(ctx) {
      const release = inputs.release(ctx);
      const bootId = await deps.blocks.bootId(ctx.host, ctx);
      return `would fetch ${release.url} (${Math.ceil(release.sizeBytes / 1024)} KiB) and check sha256 ${release.sha256.slice(0, 12)}…, install it into the inactive slot, reboot (now boot ${bootId.slice(0, 8)}), wait for a new boot id and expect ${previousVersion(ctx)} → ${release.version}`;
    },

    async apply(ctx) {
      const startedAt = Date.now();
      const settings = inputs.settings(ctx);
      await deps.charts.atBatchStart(ctx, settings.batchChartsAfterMs, inputs.release(ctx).name);
      const host = watched(ctx, startedAt);
      const unwatch = slow.watch(host);
      try {
        const done = await upgrade(ctx, startedAt);
        // The host is upgraded: a callout that cannot be made does not undo that.
        await slow
          .finished(host, Date.now() - startedAt)
          .catch((err: unknown) => ctx.log.warn({ err }, 'slow-host callout not made'));
        return done;
      } finally {
        unwatch();
      }
    },

    // Read-only. A checkpointed reboot that happened is never asked for again: `apply` then sees the
    // release running and only checks it; a host back on the old version has failed.
    async check(ctx, checkpoint) {
      const recorded = StepCheckpoint.safeParse(checkpoint);
      if (!recorded.success || !recorded.data.bootId) return 'not_applied';
      if ((await deps.blocks.rebootCheck(ctx.host, checkpoint, ctx)) === 'not_applied') return 'not_applied';
      const running = await version(ctx);
      const target = inputs.release(ctx).version;
      if (running !== target)
        throw new UpgradeStepFailed(
          ErrorCode.HealthCheckFailed,
          ctx.target,
          'verify',
          `rebooted (boot id changed) but runs ${running}, not ${target}: it booted the old slot; it is not rebooted again`,
        );
      // Not recorded as applied yet: `apply` still verifies health and marks the slot good.
      owedChecks.add(`${ctx.runId}\u0000${ctx.target}`);
      return 'not_applied';
    },

    // Newest first (the engine's order): back to the previous slot, verified on the old version.
    async rollback(ctx) {
      const settings = inputs.settings(ctx);
      const from = previousVersion(ctx);
      const running = await version(ctx);
      if (running !== inputs.release(ctx).version) {
        // It never runs the new slot: forget the next-boot choice, nothing to reboot.
        await command(ctx, 'cancelNextBoot', {}, 60_000);
        return;
      }
      await command(ctx, 'bootPrevious', {}, 60_000);
      await deps.blocks.reboot(
        ctx.host,
        { signal: ctx.signal },
        {
          timeoutMs: settings.rebootTimeoutMs,
          command: profileCommand(settings.profile, 'reboot', {}),
          ...REBOOT_POLL,
        },
      );
      const back = await version(ctx);
      if (back !== from)
        throw new UpgradeStepFailed(
          ErrorCode.HealthCheckFailed,
          ctx.target,
          'rollback',
          `booted the previous slot but runs ${back}, not ${from}`,
        );
      await command(ctx, 'markGood', {}, 60_000);
      await ctx.fenced(() =>
        deps.records.append(
          historyKey(inputs.release(ctx).name),
          hostRecordJson({
            runId: ctx.runId,
            host: ctx.target,
            dc: deps.dc(ctx.target),
            result: 'rolled_back',
            at: new Date().toISOString(),
          }),
          { keep: HISTORY_KEEP },
        ),
      );
    },
  };
}
