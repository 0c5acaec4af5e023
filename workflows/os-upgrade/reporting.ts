import type { Json, RunReader, TaskContext } from '../../src/authoring/index.js';
import type { OsUpgradeParams } from './params.js';
import type { PrecheckResult } from './prechecks.js';
import type { ChosenRelease } from './release.js';

/** What approvers see after the canary: the release and its certification, the canary's timings and health. */
export async function approvalEvidence(
  runs: RunReader,
  ctx: TaskContext<OsUpgradeParams>,
  release: ChosenRelease,
  prechecks: PrecheckResult,
): Promise<Json> {
  const run = await runs.get(ctx.runId);
  const canary = run.targets.filter((t) => t.stage === 'canary');
  return {
    release: {
      name: release.name,
      version: release.version,
      sha256: release.sha256,
      certified: `by ${release.certifiedBy} at ${release.certifiedAt}: ${release.checks.join(', ')}`,
    },
    requester: ctx.requester,
    canary: canary.map((t) => ({
      host: t.target,
      ok: t.ok,
      // The step's summary carries its phase timings and boot ids; the health check passed when ok.
      timings: t.summary ?? null,
      seconds: Math.round(t.durationMs / 100) / 10,
      health: t.ok ? 'running the release, health check passed' : (t.error ?? 'failed'),
    })),
    remainingHosts: prechecks.eligible.length - canary.length,
    skippedHosts: prechecks.skipped.length,
  };
}
