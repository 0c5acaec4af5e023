import { summarizeDiff } from '../../src/bundles/diff-summary.js';
import type { Bundle } from '../../src/bundles/bundle.js';
import {
  approvalEvidence as checkedEvidence,
  type Json,
  type TaskContext,
} from '../../src/authoring/index.js';
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
  let diff: { host: string; file: string; headline: string; preview: string[] } | null = null;
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
    diff = {
      host: first.target,
      file: bundle.manifest.file.target,
      headline: summary.headline,
      preview: summary.preview,
    };
  }
  // The shared evidence schema: the card renders each part as a readable section.
  return checkedEvidence({
    summary: `Canary of ${bundle.manifest.name} ${bundle.manifest.version} done on ${canary.length} host(s); ${hostCount - canary.length} more after approval.`,
    identity: bundleIdentityFacts(bundle),
    canary: canary.map((t) => ({
      host: t.target,
      ok: t.ok,
      changed: t.changed,
      summary: t.summary ?? null,
      error: t.error ?? null,
    })),
    diff,
    facts: { 'Hosts after approval': hostCount - canary.length, Rollout: rolloutId },
  });
}

/** What a config push ships, as approvers compare it and the plan hash covers it. */
export function bundleIdentityFacts(bundle: Bundle): Record<string, string> {
  return {
    Bundle: bundle.manifest.name,
    Version: bundle.manifest.version,
    sha256: bundle.sha256,
    'Target file': bundle.manifest.file.target,
  };
}
