// TEMP stand-in until engine-core lands.
export type BudgetVerdict = { exceeded: false } | { exceeded: true; scope: 'batch' | 'run'; failed: number; total: number; limitPercent: number };
export function budgetVerdict(i: { batchTotal: number; batchFailed: number; runTotal: number; runFailed: number; maxFailPercentPerBatch: number; maxFailPercentTotal: number }): BudgetVerdict {
  if (i.batchTotal > 0 && (i.batchFailed * 100) / i.batchTotal > i.maxFailPercentPerBatch)
    return { exceeded: true, scope: 'batch', failed: i.batchFailed, total: i.batchTotal, limitPercent: i.maxFailPercentPerBatch };
  if (i.runTotal > 0 && (i.runFailed * 100) / i.runTotal > i.maxFailPercentTotal)
    return { exceeded: true, scope: 'run', failed: i.runFailed, total: i.runTotal, limitPercent: i.maxFailPercentTotal };
  return { exceeded: false };
}
