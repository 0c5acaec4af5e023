export interface BudgetInput {
  /** Targets in the current batch (the canary counts as a batch) and how many of them failed. */
  batchTotal: number;
  batchFailed: number;
  /** Targets in the whole rollout so far planned, and how many failed in all stages. */
  runTotal: number;
  runFailed: number;
  maxFailPercentPerBatch: number;
  maxFailPercentTotal: number;
}

export type BudgetVerdict =
  | { exceeded: false }
  | { exceeded: true; scope: 'batch' | 'run'; failed: number; total: number; limitPercent: number };

/**
 * Ansible's `max_fail_percentage`: the budget is exceeded when the failed share is strictly greater
 * than the limit, so a limit of 0 halts on the first failure and 100 never halts. The batch is checked
 * before the run, as it is the narrower, sooner signal.
 */
export function budgetVerdict(input: BudgetInput): BudgetVerdict {
  const checks = [
    {
      scope: 'batch',
      failed: input.batchFailed,
      total: input.batchTotal,
      limitPercent: input.maxFailPercentPerBatch,
    },
    { scope: 'run', failed: input.runFailed, total: input.runTotal, limitPercent: input.maxFailPercentTotal },
  ] as const;
  for (const check of checks) {
    // Compared as failed * 100 > limit * total, so that 1 of 3 against 33⅓% is exact, not a float guess.
    if (check.total > 0 && check.failed > 0 && check.failed * 100 > check.limitPercent * check.total) {
      return { exceeded: true, ...check };
    }
  }
  return { exceeded: false };
}
