import { summarizeDiff } from '../../src/bundles/diff-summary.js';
import type { Bundle } from '../../src/bundles/bundle.js';
import type { Json, TaskContext } from '../../src/authoring/index.js';
import type { ConfigPushDeps } from './deps.js';
import type { ConfigPushParams } from './params.js';
import { RemoteConfigFile } from './remote-file.js';

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
