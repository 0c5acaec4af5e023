import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { startHarness, stateOf, tempDir, type Harness } from '../../support/engine-harness.js';
import { appliedLines, rollbackLog } from '../../support/test-workflows.js';
import { ApprovalRefused } from '../../../src/engine/errors/approval-refused.js';

const targets = ['a1', 'a2', 'a3'];

describe('approval gates', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(testRedisUrl(), uniquePrefix('gates'));
  });
  afterAll(async () => h.close());

  const waiting = (runId: string) => h.event((e) => e.runId === runId && e.type === 'gate.waiting');

  it('waits with evidence, refuses the requester, applies one decision once, then the batches run', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'deploy-gated',
      params: { dir, targets },
      requester: 'U-REQ',
    });
    const gate = await waiting(runId);
    expect(gate).toMatchObject({
      gateId: 'execution.approval',
      evidence: { changed: ['a1'] },
      requester: 'U-REQ',
    });
    expect(appliedLines(dir, 'a2')).toBe(0);
    const snap = await h.engine.get(runId);
    expect(stateOf(snap, 'execution.approval')).toBe('waiting');
    expect(snap.gates[0]?.state).toBe('waiting');

    await expect(
      h.engine.decide({ runId, gateId: 'execution.approval', decision: 'approve', by: 'U-REQ' }),
    ).rejects.toBeInstanceOf(ApprovalRefused);
    // Two approvers press at once: exactly one press is the decision, whichever lands first. Both
    // approve, so the outcome is the same either way and the test always sees the batches run (a
    // race of approve against reject would check "then the batches run" only when approve won).
    const [one, two] = await Promise.all([
      h.engine.decide({ runId, gateId: 'execution.approval', decision: 'approve', by: 'U-OK' }),
      h.engine.decide({ runId, gateId: 'execution.approval', decision: 'approve', by: 'U-OK2' }),
    ]);
    expect([one.applied, two.applied].filter(Boolean)).toHaveLength(1);
    const winner = one.applied ? one : two;
    expect(winner).toMatchObject({ decision: 'approve' });
    const loser = one.applied ? two : one;
    expect(loser).toMatchObject({ applied: false, why: 'already_decided', by: winner.by });
    const later = await h.engine.decide({
      runId,
      gateId: 'execution.approval',
      decision: 'reject',
      by: 'U-LATE',
    });
    expect(later).toMatchObject({
      applied: false,
      why: 'already_decided',
      decision: 'approve',
      by: winner.by,
    });
    const end = await h.finished(runId);
    expect(end.state).toBe('succeeded');
    expect(stateOf(end, 'execution.batches')).toBe('success');
    for (const t of targets) expect(appliedLines(dir, t)).toBe(1);
    expect(rollbackLog(dir)).toEqual([]);
    expect(end.gates[0]).toMatchObject({ state: 'approved', decidedBy: winner.by });
    expect(
      await h.engine.decide({ runId, gateId: 'execution.approval', decision: 'approve', by: 'U-X' }),
    ).toMatchObject({ applied: false, why: 'finished' });
  });

  it('reject fails the gate: the batches never run and the canary is rolled back', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'deploy-gated',
      params: { dir, targets },
      requester: 'U-REQ',
    });
    await waiting(runId);
    const r = await h.engine.decide({
      runId,
      gateId: 'execution.approval',
      decision: 'reject',
      by: 'U-OK',
      reason: 'canary looks wrong',
    });
    expect(r).toMatchObject({ applied: true, decision: 'reject' });
    const end = await h.finished(runId);
    expect(end.state).toBe('failed');
    expect(stateOf(end, 'execution.approval')).toBe('failed');
    expect(stateOf(end, 'execution.batches')).toBe('upstream_failed');
    expect(appliedLines(dir, 'a2')).toBe(0);
    expect(rollbackLog(dir)).toEqual(['a1']);
    expect(end.gates[0]).toMatchObject({
      state: 'rejected',
      decidedBy: 'U-OK',
      reason: 'canary looks wrong',
    });
  });

  it('fails closed when nobody decides before the timeout', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'deploy-quick-gate',
      params: { dir, targets },
      requester: 'U-REQ',
    });
    const decided = await h.event((e) => e.runId === runId && e.type === 'gate.decided');
    expect(decided).toMatchObject({ decision: 'reject', timedOut: true });
    const end = await h.finished(runId);
    expect(end.state).toBe('failed');
    expect(end.gates[0]?.state).toBe('timed_out');
    expect(appliedLines(dir, 'a3')).toBe(0);
    expect(
      await h.engine.decide({ runId, gateId: 'execution.approval', decision: 'approve', by: 'U-OK' }),
    ).toMatchObject({ applied: false });
  });

  it('a dry run passes its gate without waiting: nothing changes, so there is nothing to approve', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'deploy-gated',
      params: { dir, targets },
      requester: 'U-REQ',
      dryRun: true,
    });
    const end = await h.finished(runId);
    expect(end.state).toBe('succeeded');
    expect(stateOf(end, 'execution.approval')).toBe('success');
    expect(h.events.some((e) => e.runId === runId && e.type === 'gate.waiting')).toBe(false);
    expect(end.targets.map((t) => t.target).sort()).toEqual(targets);
  });
});
