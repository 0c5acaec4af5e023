import { summarizeDiff } from '../../src/bundles/diff-summary.js';
import type { Bundle } from '../../src/bundles/bundle.js';
import type { Json, TaskContext } from '../../src/authoring/index.js';
import type { ConfigPushDeps } from './deps.js';
import type { ConfigPushParams } from './params.js';
import type { ValidatedBundle } from './pinned-bundle.js';
import { RemoteConfigFile } from './remote-file.js';
import { runOutcome, type RunOutcome } from './run-outcome.js';

type Ctx = TaskContext<ConfigPushParams>;

/** What approvers see between the canary and the batches: the canary's results and what changed on it. */
export async function approvalEvidence(
  deps: ConfigPushDeps,
  ctx: Ctx,
  bundle: Bundle,
  rolloutId: string,
  hostCount: number,
): Promise<Json> {
  const snapshot = await deps.runs.get(ctx.runId);
  const canary = snapshot.targets.filter((t) => t.stage === 'canary');
  const first = canary.find((t) => t.ok && t.changed);
  let diff: Json = null;
  if (first) {
    const file = new RemoteConfigFile(
      deps.executor,
      deps.inventory.get(first.target),
      bundle,
      ctx.runId,
      ctx.signal,
    );
    const backup = await file.read(file.paths.backup);
    const summary = summarizeDiff(backup.text, bundle.content);
    diff = { host: first.target, headline: summary.headline, preview: summary.preview };
  }
  return {
    bundle: {
      name: bundle.manifest.name,
      version: bundle.manifest.version,
      sha256: bundle.sha256,
      target: bundle.manifest.file.target,
    },
    requester: ctx.requester,
    canary: canary.map((t) => ({
      host: t.target,
      ok: t.ok,
      changed: t.changed,
      summary: t.summary ?? null,
      error: t.error ?? null,
    })),
    diff,
    remainingHosts: hostCount - canary.length,
    rolloutId,
  };
}

/** The run's audit line: who asked and approved, what was pushed, each host's result. */
export async function recordAudit(
  deps: ConfigPushDeps,
  ctx: Ctx,
  bundle: ValidatedBundle | undefined,
  outcome: RunOutcome,
  startedAt: string,
): Promise<void> {
  const snapshot = await deps.runs.get(ctx.runId);
  await deps.audit.append({
    runId: ctx.runId,
    at: (deps.clock?.() ?? new Date()).toISOString(),
    kind: ctx.dryRun ? 'config.push.dry_run' : 'config.push.finished',
    actor: ctx.requester,
    data: {
      requester: ctx.requester,
      approvedBy: outcome.approvedBy ?? null,
      bundle: bundle
        ? { name: bundle.name, version: bundle.version, sha256: bundle.sha256, target: bundle.target }
        : { name: ctx.params.bundle },
      selector: ctx.params.selector,
      succeeded: outcome.succeeded,
      rolledBack: outcome.rolledBack,
      failedTasks: outcome.failedTasks,
      hosts: snapshot.targets.map((t) => ({
        host: t.target,
        ok: t.ok,
        changed: t.changed,
        stage: t.stage,
        batch: t.batchIndex,
        summary: t.summary ?? null,
        error: t.error ?? null,
      })),
      requestedAt: snapshot.createdAt,
      startedAt,
    },
  });
}

/** On failure, the bundle's owners (or, before the bundle was read, the requester) hear about it. */
export async function alertOnFailure(
  deps: ConfigPushDeps,
  ctx: Ctx,
  bundle: ValidatedBundle | undefined,
  outcome: RunOutcome,
): Promise<boolean> {
  if (outcome.succeeded) return false;
  const to = bundle && !ctx.dryRun ? [...bundle.owners, ctx.requester] : [ctx.requester];
  const what = bundle ? `${bundle.name} ${bundle.version}` : ctx.params.bundle;
  const hosts = outcome.failedHosts.slice(0, 5).map((t) => `• ${t.target}: ${t.error ?? 'failed'}`);
  const more = outcome.failedHosts.length > 5 ? [`• and ${outcome.failedHosts.length - 5} more`] : [];
  const lines = [
    `Config push of ${what} to "${ctx.params.selector}" failed (run ${ctx.runId}${ctx.dryRun ? ', dry run' : ''}).`,
    // The causes, as their errors say them (which field, which host, which lock); not every task skipped after.
    ...outcome.causes.slice(0, 3).map((c) => `${c.taskId} failed: ${c.error}`),
    ...hosts,
    ...more,
    outcome.rolledBack && outcome.changedHosts.length > 0
      ? `Changed hosts were restored to their previous file (${outcome.changedHosts.length}).`
      : '',
  ].filter(Boolean);
  await deps.notifier.alert({
    runId: ctx.runId,
    to,
    title: `Config push failed: ${what}`,
    text: lines.join('\n'),
  });
  return true;
}

export { runOutcome };
