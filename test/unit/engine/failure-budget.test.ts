import { describe, expect, it } from 'vitest';
import { budgetVerdict, type BudgetInput } from '../../../src/engine/rollout/failure-budget.js';

const input = (patch: Partial<BudgetInput>): BudgetInput => ({
  batchTotal: 10,
  batchFailed: 0,
  runTotal: 100,
  runFailed: 0,
  maxFailPercentPerBatch: 20,
  maxFailPercentTotal: 10,
  ...patch,
});

describe('budgetVerdict', () => {
  it('is not exceeded without failures, whatever the limits', () => {
    expect(budgetVerdict(input({ maxFailPercentPerBatch: 0, maxFailPercentTotal: 0 }))).toEqual({
      exceeded: false,
    });
  });

  it('halts on the first failure when the limit is 0', () => {
    expect(budgetVerdict(input({ batchFailed: 1, runFailed: 1, maxFailPercentPerBatch: 0 }))).toEqual({
      exceeded: true,
      scope: 'batch',
      failed: 1,
      total: 10,
      limitPercent: 0,
    });
  });

  it('allows exactly the limit and halts just above it (strictly greater, as Ansible)', () => {
    expect(budgetVerdict(input({ batchFailed: 2, runFailed: 2 }))).toEqual({ exceeded: false });
    expect(budgetVerdict(input({ batchFailed: 3, runFailed: 3 }))).toMatchObject({
      exceeded: true,
      scope: 'batch',
      failed: 3,
    });
  });

  it('compares exactly, without floating-point error', () => {
    // 1 of 3 is 33.33…%: over a 33% limit, within a 34% one.
    expect(budgetVerdict(input({ batchTotal: 3, batchFailed: 1, maxFailPercentPerBatch: 33 })).exceeded).toBe(
      true,
    );
    expect(budgetVerdict(input({ batchTotal: 3, batchFailed: 1, maxFailPercentPerBatch: 34 })).exceeded).toBe(
      false,
    );
    // 7 of 100 at a 7% limit is exactly at the limit: 0.07 * 100 must not drift above it.
    expect(
      budgetVerdict(input({ batchTotal: 100, batchFailed: 7, maxFailPercentPerBatch: 7 })).exceeded,
    ).toBe(false);
  });

  it('never halts at 100%, even when everything failed', () => {
    expect(
      budgetVerdict(
        input({ batchFailed: 10, runFailed: 100, maxFailPercentPerBatch: 100, maxFailPercentTotal: 100 }),
      ),
    ).toEqual({ exceeded: false });
  });

  it('halts on the run budget when failures spread over batches add up', () => {
    expect(budgetVerdict(input({ batchFailed: 1, runFailed: 11 }))).toEqual({
      exceeded: true,
      scope: 'run',
      failed: 11,
      total: 100,
      limitPercent: 10,
    });
  });

  it('reports the batch when both budgets are exceeded', () => {
    expect(budgetVerdict(input({ batchFailed: 5, runFailed: 50 }))).toMatchObject({ scope: 'batch' });
  });

  it('treats the canary as a batch: one failed canary of one exceeds any limit below 100', () => {
    expect(
      budgetVerdict(input({ batchTotal: 1, batchFailed: 1, runFailed: 1, maxFailPercentPerBatch: 50 })),
    ).toMatchObject({
      exceeded: true,
      scope: 'batch',
      failed: 1,
      total: 1,
    });
  });

  it('is not exceeded for an empty batch or run', () => {
    expect(
      budgetVerdict(input({ batchTotal: 0, runTotal: 0, maxFailPercentPerBatch: 0, maxFailPercentTotal: 0 })),
    ).toEqual({
      exceeded: false,
    });
  });
});
