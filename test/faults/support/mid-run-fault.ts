import { expect } from 'vitest';
import type { AuditEntry } from '../../../src/audit/index.js';
import type { RunSnapshot } from '../../../src/engine/index.js';
import { MARSHAL_APPROVE } from '../../../src/slack/blocks/index.js';
import type { ConfigPushFixture } from '../../support/config-push-fixture.js';
import { DEMO_APPROVER, DEMO_REQUESTER, LOADED, messageText } from '../../support/config-push-fixture.js';

export interface FaultRun {
  run: RunSnapshot;
  entries: AuditEntry[];
  /** The progress thread as Slack users read it at the end. */
  thread: string;
  /** Every host's file before the run. */
  before: Record<string, string | undefined>;
}

/**
 * A push to role=web (canary, approval, one batch) with `fault` done to the fleet while the run waits
 * for approval, i.e. after the pre-checks and the canary succeeded and before the batch: mid-run.
 */
export async function pushWithFaultAtApproval(
  f: ConfigPushFixture,
  fault: () => Promise<void>,
  options: { rollout?: string; timeoutMs?: number } = {},
): Promise<FaultRun> {
  const before = f.fleetShas();
  const reply = await f.sendCommand(
    DEMO_REQUESTER,
    `push rate-limiter to role=web --canary 1 ${options.rollout ?? '--batches 100% --delay 0s'}`,
  );
  if (!reply.runId) throw new Error(`the push was refused: ${reply.text}`);
  const card = await f.waitForApprovalCard(reply.runId);
  await fault();
  await f.press(MARSHAL_APPROVE, card, DEMO_APPROVER);
  const run = await f.waitForRun(reply.runId, options.timeoutMs ?? 180_000);
  const thread = (await f.finalThread(reply.runId)).map((m) => messageText(m)).join('\n');
  return { run, entries: await f.server.marshal.audit.entries(reply.runId), thread, before };
}

/**
 * What the run reported for each host (its audit: changed, restored) against what the host holds and
 * serves. A host reported changed and not restored must hold and serve the bundle; every other host
 * must hold and serve what it had before. One row per host, so a failure names the host.
 */
export function expectReportedEqualsReal(f: ConfigPushFixture, result: FaultRun): void {
  const wanted = f.bundleSha();
  const rows = f.hosts.map(({ name }) => {
    const mine = result.entries.filter((e) => e.target === name);
    const changed = mine.some((e) => e.kind === 'config.host.changed');
    const restored = mine.some(
      (e) =>
        e.kind === 'config.host.restored' ||
        (e.kind === 'config.host.failed' && (e.data as { restored?: unknown }).restored === true),
    );
    const reported = changed && !restored ? wanted : result.before[name];
    return {
      host: name,
      reported: { holds: reported, serves: reported },
      real: { holds: f.hostSha(name), serves: f.hostSha(name, LOADED) },
    };
  });
  for (const row of rows)
    expect(row.real, `${row.host}: reported ${JSON.stringify(row.reported)}`).toEqual(row.reported);
}
