import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalRefused } from '../../../src/engine/errors/approval-refused.js';
import { ValidationError } from '../../../src/errors/index.js';
import { startHarness, stateOf, tempDir, type Harness } from '../../support/engine-harness.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

/** What `act` read through the gates' handles, one line per run of it. */
function acts(dir: string): unknown[] {
  const file = join(dir, 'act.json');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);
}

describe('approval and choice gates anywhere in the DAG', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(testRedisUrl(), uniquePrefix('dag-gates'));
  });
  afterAll(async () => h.close());

  const waiting = (runId: string, gateId: string) =>
    h.event((e) => e.runId === runId && e.type === 'gate.waiting' && e.gateId === gateId);

  it('a standalone approval waits with its evidence; a choice gate’s option is read downstream through its handle', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({ workflow: 'drill', params: { dir }, requester: 'U-REQ' });
    const go = await waiting(runId, 'go');
    expect(go).toMatchObject({
      kind: 'approval',
      prompt: 'Fail over to the DR region?',
      evidence: { region: 'dr-1' },
    });
    expect(stateOf(await h.engine.get(runId), 'next')).toBe('pending');

    expect(await h.engine.decide({ runId, gateId: 'go', decision: 'approve', by: 'U-BOB' })).toMatchObject({
      applied: true,
      decision: 'approve',
    });
    const next = await waiting(runId, 'next');
    expect(next).toMatchObject({
      kind: 'choice',
      options: [
        { id: 'failback', label: 'Fail back now' },
        { id: 'stay', label: 'Stay on DR' },
      ],
    });
    expect(acts(dir)).toEqual([]);
    expect(
      await h.engine.decide({
        runId,
        gateId: 'next',
        decision: 'approve',
        option: 'failback',
        by: 'U-CAROL',
      }),
    ).toMatchObject({ applied: true, option: 'failback', by: 'U-CAROL' });

    const end = await h.finished(runId);
    expect(end.state).toBe('succeeded');
    expect(acts(dir)).toEqual([{ choice: 'failback', approvedBy: 'U-BOB' }]);
    expect(end.gates).toEqual([
      expect.objectContaining({ gateId: 'go', kind: 'approval', state: 'approved', decidedBy: 'U-BOB' }),
      expect.objectContaining({
        gateId: 'next',
        kind: 'choice',
        state: 'approved',
        choice: 'failback',
        decidedBy: 'U-CAROL',
      }),
    ]);
    expect(
      h.events.find((e) => e.runId === runId && e.type === 'gate.decided' && e.gateId === 'next'),
    ).toMatchObject({
      option: 'failback',
      timedOut: false,
    });
  });

  it('four eyes: the requester can decide neither gate; an unknown or missing option is refused and changes nothing', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({ workflow: 'drill', params: { dir }, requester: 'U-REQ' });
    await waiting(runId, 'go');
    await expect(
      h.engine.decide({ runId, gateId: 'go', decision: 'approve', by: 'U-REQ' }),
    ).rejects.toBeInstanceOf(ApprovalRefused);
    await expect(
      h.engine.decide({ runId, gateId: 'go', decision: 'approve', option: 'stay', by: 'U-BOB' }),
    ).rejects.toBeInstanceOf(ValidationError);
    await h.engine.decide({ runId, gateId: 'go', decision: 'approve', by: 'U-BOB' });
    await waiting(runId, 'next');
    await expect(
      h.engine.decide({ runId, gateId: 'next', decision: 'approve', option: 'stay', by: 'U-REQ' }),
    ).rejects.toBeInstanceOf(ApprovalRefused);
    await expect(
      h.engine.decide({ runId, gateId: 'next', decision: 'approve', option: 'nuke', by: 'U-BOB' }),
    ).rejects.toThrow(/"nuke" is not an option .* pick one of failback, stay/);
    await expect(
      h.engine.decide({ runId, gateId: 'next', decision: 'approve', by: 'U-BOB' }),
    ).rejects.toThrow(/no option was given/);
    const snap = await h.engine.get(runId);
    expect(snap.gates.find((g) => g.gateId === 'next')?.state).toBe('waiting');

    // Rejecting a choice fails it closed: `act` never runs, the failure handler does.
    await h.engine.decide({ runId, gateId: 'next', decision: 'reject', by: 'U-BOB', reason: 'not today' });
    const end = await h.finished(runId);
    expect(end.state).toBe('failed');
    expect(stateOf(end, 'act')).toBe('upstream_failed');
    expect(stateOf(end, 'on-closed')).toBe('success');
    expect(acts(dir)).toEqual([]);
  });

  it('decides once: of racing picks one wins, later ones are told what was decided', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({ workflow: 'drill', params: { dir }, requester: 'U-REQ' });
    await waiting(runId, 'go');
    await h.engine.decide({ runId, gateId: 'go', decision: 'approve', by: 'U-BOB' });
    await waiting(runId, 'next');
    const results = await Promise.all(
      (['failback', 'stay', 'failback', 'stay'] as const).map((option, i) =>
        h.engine.decide({ runId, gateId: 'next', decision: 'approve', option, by: `U-${i}` }),
      ),
    );
    const won = results.filter((r) => r.applied);
    expect(won).toHaveLength(1);
    const winner = won[0]!;
    for (const r of results.filter((r) => !r.applied)) {
      expect(r).toMatchObject({
        applied: false,
        why: 'already_decided',
        option: winner.option,
        by: winner.by,
      });
    }
    await h.finished(runId);
    expect(acts(dir)).toEqual([{ choice: winner.option, approvedBy: 'U-BOB' }]);
  });

  it('a choice nobody answers in time takes its default option, recorded as timed out', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'drill-quick-choice',
      params: { dir },
      requester: 'U-REQ',
    });
    await waiting(runId, 'go');
    await h.engine.decide({ runId, gateId: 'go', decision: 'approve', by: 'U-BOB' });
    const end = await h.finished(runId);
    expect(end.state).toBe('succeeded');
    expect(end.gates.find((g) => g.gateId === 'next')).toMatchObject({ state: 'timed_out', choice: 'stay' });
    expect(acts(dir)).toEqual([{ choice: 'stay', approvedBy: 'U-BOB' }]);
    expect(
      await h.engine.decide({ runId, gateId: 'next', decision: 'approve', option: 'failback', by: 'U-LATE' }),
    ).toMatchObject({ applied: false });
  });

  it('an approval nobody decides in time fails closed: downstream never runs, the failure handler does', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'drill-quick-closed',
      params: { dir },
      requester: 'U-REQ',
    });
    const end = await h.finished(runId);
    expect(end.state).toBe('failed');
    expect(end.gates.find((g) => g.gateId === 'go')).toMatchObject({ state: 'timed_out' });
    expect(stateOf(end, 'next')).toBe('upstream_failed');
    expect(stateOf(end, 'act')).toBe('upstream_failed');
    expect(stateOf(end, 'on-closed')).toBe('success');
    expect(acts(dir)).toEqual([]);
  });

  it('a dry run asks nobody: the choice reads its default (none here), the approval passes', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'drill',
      params: { dir },
      requester: 'U-REQ',
      dryRun: true,
    });
    const end = await h.finished(runId);
    expect(end.state).toBe('succeeded');
    expect(acts(dir)).toEqual([{ choice: null, approvedBy: null }]);
  });
});
