import { describe, expect, it } from 'vitest';
import type { GateSnapshot, RunSnapshot } from '../../../../src/engine/model/run.js';
import { renderHome } from '../../../../src/slack/home/render-home.js';

const gate = (i: number): GateSnapshot => ({
  gateId: 'execution.approval',
  state: 'waiting',
  planHash: i.toString(16).padStart(64, '0'),
  expiresAt: '2026-11-27T08:00:00.000Z',
});
const run = (i: number): RunSnapshot =>
  ({
    runId: `run-${i}`,
    workflow: 'config-push',
    requester: 'U0ALICE',
    state: 'running',
    dryRun: false,
    gates: [gate(i)],
  }) as unknown as RunSnapshot;

describe('renderHome', () => {
  it('binds each Approve and Reject to its run, gate and plan', () => {
    const view = renderHome({
      approvals: [{ run: run(1), gate: gate(1) }],
      active: [run(1)],
      locks: [],
      freeze: undefined,
    });
    const actions = view.blocks.filter((b) => b.type === 'actions');
    expect(actions).toHaveLength(1);
    const values = actions.flatMap((b) =>
      b.type === 'actions' ? b.elements.map((e) => JSON.parse(e.value) as unknown) : [],
    );
    expect(values).toEqual([
      { runId: 'run-1', gateId: 'execution.approval', plan: gate(1).planHash },
      { runId: 'run-1', gateId: 'execution.approval', plan: gate(1).planHash },
    ]);
  });

  it('stays within a Home tab’s 100 blocks and 3,000 characters a text, however much there is', () => {
    const many = Array.from({ length: 300 }, (_, i) => run(i));
    const view = renderHome({
      approvals: many.map((r, i) => ({ run: r, gate: gate(i) })),
      active: many,
      locks: many.map((r) => ({
        name: `lock-${r.runId}-${'x'.repeat(100)}`,
        owner: r.runId,
        reason: 'push',
        expiresAt: '2026-11-27T08:00:00.000Z',
      })),
      freeze: {
        source: 'manual',
        reason: 'release day',
        by: 'U0BOB',
        at: '2026-11-27T07:00:00.000Z',
        until: '2026-11-27T09:00:00.000Z',
      },
    });
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    for (const b of view.blocks)
      if (b.type === 'section' && b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
    expect(JSON.stringify(view.blocks)).toContain('…and 280 more');
    expect(JSON.stringify(view.blocks)).toContain('release day');
  });

  it('offers no buttons for a choice gate: the options are on the card', () => {
    const choice: GateSnapshot = { ...gate(2), kind: 'choice' };
    const view = renderHome({
      approvals: [{ run: run(2), gate: choice }],
      active: [],
      locks: [],
      freeze: undefined,
    });
    expect(view.blocks.filter((b) => b.type === 'actions')).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain('make it on the card');
  });
});
