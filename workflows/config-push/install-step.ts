import { z } from 'zod';
import type { Bundle } from '../../src/bundles/bundle.js';
import { formatDiffSummary, summarizeDiff } from '../../src/bundles/diff-summary.js';
import {
  isMarshalError,
  type HostStep,
  type HostStepContext,
  type Json,
  type TaskContext,
} from '../../src/authoring/index.js';
import type { ConfigPushDeps } from './deps.js';
import type { ConfigPushParams } from './params.js';
import { RemoteConfigFile } from './remote-file.js';

/** What `apply` hands to `rollback` (through Redis): enough to put the host back as it was. */
export const AppliedChange = z.object({
  target: z.string(),
  /** Null when the host had no file: rollback removes it. */
  backupPath: z.string().nullable(),
  beforeSha256: z.string().nullable(),
  afterSha256: z.string(),
});
export type AppliedChange = z.infer<typeof AppliedChange>;

const short = (sha: string | null): string => (sha ? sha.slice(0, 12) : 'none');

/**
 * One host's part of the push: back up, stage the new file beside the old, let the application check it,
 * rename it into place, verify the checksum, reload, check health. A failure after the rename restores the
 * backup on that host before the error goes up, so a failed host is never left on the new file.
 */
export function createInstallStep(
  deps: ConfigPushDeps,
  pinned: (ctx: TaskContext<ConfigPushParams>) => Promise<Bundle>,
): HostStep<ConfigPushParams> {
  const now = (): string => (deps.clock?.() ?? new Date()).toISOString();
  const open = async (
    ctx: HostStepContext<ConfigPushParams>,
  ): Promise<{ bundle: Bundle; file: RemoteConfigFile }> => {
    const bundle = await pinned(ctx);
    return {
      bundle,
      file: new RemoteConfigFile(
        deps.executor,
        deps.inventory.get(ctx.target),
        bundle,
        ctx.runId,
        ctx.signal,
      ),
    };
  };

  return {
    name: 'install config file',
    timeoutMs: 5 * 60_000,

    async check(ctx) {
      const { bundle, file } = await open(ctx);
      const state = await file.state();
      if (!state.exists || state.sha256 !== bundle.sha256) return 'not_applied';
      // The file is in place, but this run's backup is beside it: this run put it there, and its worker may
      // have died before the reload and the health check. `apply` finishes them.
      return (await file.state(file.paths.backup)).exists ? 'not_applied' : 'applied';
    },

    async plan(ctx) {
      const { bundle, file } = await open(ctx);
      const { text: before } = await file.read();
      return `${file.target}: ${formatDiffSummary(summarizeDiff(before, bundle.content))}`;
    },

    async apply(ctx) {
      const { bundle, file } = await open(ctx);
      const log = ctx.log.child({ host: ctx.target });
      const startedAt = now();
      // Checksum and text in one round trip: the checksum decides, the text is the diff's "before".
      const { state: before, text: beforeText } = await file.read();
      let change: AppliedChange;
      let diff: ReturnType<typeof summarizeDiff>;
      const resumed = before.exists && before.sha256 === bundle.sha256;
      if (resumed) {
        // Already at the bundle: by an earlier push (nothing to do), or by this run on a worker that died
        // before reloading (its backup is here): then the reload and the health check are still owed.
        const backup = await file.state(file.paths.backup);
        if (!backup.exists) return { changed: false, summary: `already at ${bundle.manifest.version}` };
        log.warn(
          { backup: file.paths.backup },
          'file found installed by this run: finishing reload and health check',
        );
        diff = summarizeDiff(await file.text(file.paths.backup), bundle.content);
        change = {
          target: file.target,
          backupPath: file.paths.backup,
          beforeSha256: backup.sha256,
          afterSha256: bundle.sha256,
        };
      } else {
        diff = summarizeDiff(beforeText, bundle.content);
        change = {
          target: file.target,
          backupPath: before.exists ? file.paths.backup : null,
          beforeSha256: before.exists ? before.sha256 : null,
          afterSha256: bundle.sha256,
        };
        if (before.exists) await file.backUp();
        await file.stage();
        await file.checkStaged();
        await file.install();
      }
      try {
        await file.verify(bundle.sha256);
        await file.reload();
        await file.healthy();
      } catch (err) {
        const restored = await restoreAfterFailure(file, change, log);
        await deps.audit.append({
          runId: ctx.runId,
          at: now(),
          kind: 'config.host.failed',
          actor: 'marshal',
          target: ctx.target,
          data: { ...change, restored, startedAt, error: isMarshalError(err) ? err.toJSON() : String(err) },
        });
        throw err;
      }
      await deps.audit.append({
        runId: ctx.runId,
        at: now(),
        kind: 'config.host.changed',
        actor: 'marshal',
        target: ctx.target,
        data: {
          ...change,
          bundle: bundle.manifest.name,
          version: bundle.manifest.version,
          diff: diff.headline,
          stage: ctx.stage.kind,
          startedAt,
          ...(resumed ? { resumed: true } : {}),
        },
      });
      return {
        changed: true,
        summary: `${bundle.manifest.name} ${bundle.manifest.version} installed (${diff.headline}), sha256 ${short(change.beforeSha256)} → ${short(change.afterSha256)}`,
        data: change as unknown as Json,
      };
    },

    async rollback(ctx, applied) {
      const { file } = await open(ctx);
      const parsed = AppliedChange.safeParse(applied);
      // Without apply's record (the step was reconciled by `check`), the backup on the host is the record.
      const change: AppliedChange | undefined = parsed.success ? parsed.data : await changeFromHost(file);
      if (!change) {
        ctx.log.warn(
          { host: ctx.target },
          'no record of the change and no backup on the host: nothing to restore',
        );
        return;
      }
      await file.restore(change.backupPath);
      await file.verify(change.beforeSha256);
      if (change.backupPath === null) {
        // The host had no file before: the application ran without one, and may not reload without one.
        await file
          .reload()
          .catch((err: unknown) =>
            ctx.log.warn({ host: ctx.target, err }, 'reload after removing the pushed file failed'),
          );
      } else {
        await file.reload();
        await file.healthy();
      }
      await deps.audit.append({
        runId: ctx.runId,
        at: now(),
        kind: 'config.host.restored',
        actor: 'marshal',
        target: ctx.target,
        data: { ...change },
      });
    },
  };
}

async function changeFromHost(file: RemoteConfigFile): Promise<AppliedChange | undefined> {
  const backup = await file.state(file.paths.backup);
  const current = await file.state();
  if (!backup.exists || !current.exists) return undefined;
  return {
    target: file.target,
    backupPath: file.paths.backup,
    beforeSha256: backup.sha256,
    afterSha256: current.sha256,
  };
}

/** Best effort: the original error is what the operator needs; a failed restore is logged beside it. */
async function restoreAfterFailure(
  file: RemoteConfigFile,
  change: AppliedChange,
  log: { error(obj: object, msg: string): void },
): Promise<boolean> {
  try {
    await file.restore(change.backupPath);
    await file.verify(change.beforeSha256);
    // With no previous file the application may refuse to reload; it is tried, but does not decide.
    if (change.backupPath !== null) await file.reload();
    else await file.reload().catch(() => undefined);
    return true;
  } catch (err) {
    log.error({ err, target: change.target }, 'restoring the previous file after a failed push also failed');
    return false;
  }
}
