import { describe, expect, it } from 'vitest';
import { allowedControls } from '../../../src/console/run-controls.js';
import { rollbackOffered } from '../../../src/engine/model/rollback-offer.js';
import { RunSnapshot, type TargetResult } from '../../../src/engine/model/run.js';
import { AccessControl } from '../../../src/slack/auth/access-control.js';
import { runControlButtons } from '../../../src/slack/blocks/index.js';

const target = (name: string, over: Partial<TargetResult> = {}): TargetResult => ({
  target: name,
  ok: true,
  changed: true,
  durationMs: 10,
  stage: 'batch',
  batchIndex: 1,
  ...over,
});

const run = (over: Partial<RunSnapshot> = {}): RunSnapshot =>
  RunSnapshot.parse({
    runId: 'r-1',
    workflow: 'config-push',
    requester: 'U0ALICE',
    dryRun: false,
    state: 'succeeded',
    abortRequested: false,
    holdRequested: false,
    createdAt: '2026-11-27T06:00:00.000Z',
    finishedAt: '2026-11-27T06:05:00.000Z',
    params: {},
    meta: {},
    tasks: [],
    gates: [],
    progress: [],
    targets: [target('web-1'), target('web-2', { ok: false, changed: false, error: 'health check failed' })],
    ...over,
  });

const offered = (r: RunSnapshot): boolean =>
  JSON.stringify(runControlButtons(r) ?? {}).includes('"action_id":"marshal_rollback"');

describe('Roll back is offered once a run finished with failures and left hosts changed', () => {
  it('offers it after failures, and not for a dry run, a clean success, a restored run or one asked already', () => {
    expect(rollbackOffered(run())).toBe(true);
    expect(offered(run())).toBe(true);
    expect(rollbackOffered(run({ state: 'aborted', targets: [target('web-1')] }))).toBe(true);
    for (const r of [
      run({ dryRun: true }),
      run({ targets: [target('web-1')] }),
      run({ state: 'running', finishedAt: undefined }),
      run({
        targets: [target('web-1', { restore: 'restored' }), target('web-2', { ok: false, changed: false })],
      }),
      run({ rollback: { by: 'U0BOB', at: '2026-11-27T06:06:00.000Z' } }),
    ]) {
      expect(rollbackOffered(r)).toBe(false);
      expect(offered(r)).toBe(false);
    }
    // A host whose restore failed is offered too, until someone asks (asked once per run).
    expect(rollbackOffered(run({ state: 'failed', targets: [target('web-1', { restore: 'failed' })] }))).toBe(
      true,
    );
  });

  it('is told from a summary (notable hosts and counts) as from the full list', () => {
    // The thread and the console read a summary: the changed hosts left as they are appear only in the counts.
    const summary = (hosts: RunSnapshot['hosts'], targets: TargetResult[]) =>
      run({ hosts, targets, shown: { view: 'notable' } });
    const failedOne = target('web-3', { ok: false, changed: false, error: 'health check failed' });
    expect(rollbackOffered(summary({ reached: 3, ok: 2, failed: 1, changed: 2 }, [failedOne]))).toBe(true);
    expect(offered(summary({ reached: 3, ok: 2, failed: 1, changed: 2 }, [failedOne]))).toBe(true);
    // Both changed hosts were put back: nothing left to roll back.
    const restored = [target('web-1', { restore: 'restored' }), target('web-2', { restore: 'restored' })];
    expect(
      rollbackOffered(summary({ reached: 3, ok: 2, failed: 1, changed: 2 }, [...restored, failedOne])),
    ).toBe(false);
    // A summary names only so many hosts (NOTABLE_SHOWN): the engine's counter says how many were put back.
    expect(
      rollbackOffered(summary({ reached: 3, ok: 2, failed: 1, changed: 2, restored: 2 }, [failedOne])),
    ).toBe(false);
    expect(
      rollbackOffered(summary({ reached: 3, ok: 2, failed: 1, changed: 2, restored: 1 }, [failedOne])),
    ).toBe(true);
    // Nothing changed, but a failed host's restore is unknown: offered.
    const unknown = target('web-3', { ok: false, changed: false, restore: 'unknown' });
    expect(rollbackOffered(summary({ reached: 1, ok: 0, failed: 1, changed: 0 }, [unknown]))).toBe(true);
  });

  it('the console offers it to the requester and approvers, not to others', async () => {
    const access = new AccessControl(
      { 'config-push': { start: ['U0ALICE', 'U0CAROL'], approve: ['U0BOB'] } },
      { members: () => Promise.reject(new Error('no groups here')) },
    );
    expect((await allowedControls(run(), 'U0ALICE', access)).controls).toContain('rollback');
    expect((await allowedControls(run(), 'U0BOB', access)).controls).toContain('rollback');
    expect((await allowedControls(run(), 'U0CAROL', access)).controls).not.toContain('rollback');
  });
});
