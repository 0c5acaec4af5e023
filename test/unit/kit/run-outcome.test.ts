import { describe, expect, it } from 'vitest';
import type { RunSnapshot, TargetResult } from '../../../src/engine/model/run.js';
import { readRunOutcome } from '../../../src/kit/run-outcome.js';

const target = (name: string, extra: Partial<TargetResult> & Record<string, unknown> = {}): TargetResult => ({
  target: name,
  ok: true,
  changed: true,
  durationMs: 1,
  stage: 'batch',
  batchIndex: 1,
  ...extra,
});

const snapshot = (targets: TargetResult[], tasks: RunSnapshot['tasks'] = []): RunSnapshot => ({
  runId: 'r-1',
  workflow: 'w',
  requester: 'U0REQ',
  dryRun: false,
  state: 'failed',
  abortRequested: false,
  holdRequested: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  params: {},
  meta: {},
  tasks,
  gates: [{ gateId: 'execution.approval', state: 'approved', decidedBy: 'U0APP', decidedAt: 'later' }],
  progress: [],
  targets,
});

/** The one reading of a run the kit's audit, alert and metrics share. */
describe('readRunOutcome', () => {
  it('tells changed hosts from restored ones and from those whose restore failed or is unknown', () => {
    const outcome = readRunOutcome(
      snapshot(
        [
          target('a'),
          target('b', { restore: 'restored' }),
          target('c', { ok: false, error: 'reload failed', restore: 'failed', restoreError: 'host down' }),
          target('d', { ok: false, restore: 'unknown' }),
        ],
        [{ taskId: 'rollback', state: 'success', attempt: 1 }],
      ),
      ['rollback'],
    );
    expect(outcome).toMatchObject({
      succeeded: false,
      changed: ['a'],
      restored: ['b'],
      failed: ['c', 'd'],
      rolledBack: true,
      approvedBy: 'U0APP',
    });
    expect(outcome.restoreFailed).toEqual([
      { target: 'c', error: 'restore failed: host down' },
      { target: 'd', error: 'restore unknown: its step failed part-way and nothing put it back' },
    ]);
  });

  it('a run that had to put a host back did not succeed, even with every task green', () => {
    const outcome = readRunOutcome(snapshot([target('a', { restore: 'restored' })]), []);
    expect(outcome.succeeded).toBe(false);
    expect(readRunOutcome(snapshot([target('a')]), []).succeeded).toBe(true);
  });
});
