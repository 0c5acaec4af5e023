import { ValidationError } from '../../errors/validation-error.js';
import type { BatchSize, RolloutStrategy, TargetId } from '../model/workflow.js';
import { percentOf } from './batch-size.js';

export interface RolloutPlan {
  /** Worked on first, alone; empty when the strategy has no canary (or there are no targets). */
  canary: TargetId[];
  /** The rest, in order; never an empty batch. */
  batches: TargetId[][];
}

/**
 * Splits targets into the canary and the batches after it. Every target lands exactly once (duplicates
 * in `targets` are dropped), in the order given.
 *
 * - Canary: a count, or a percentage of all targets rounded up (so `'5%'` of 10 targets is 1, never
 *   0); 0 or `'0%'` means no canary.
 * - Batches: Ansible's `serial` over the targets left after the canary. A percentage is of the total
 *   target count, as Ansible takes it of the play's hosts, rounded down but at least 1; the last size
 *   repeats until every target is placed, and a batch never takes more than what remains.
 */
export function planRollout(
  targets: readonly TargetId[],
  strategy: Pick<RolloutStrategy, 'canary' | 'batches'>,
): RolloutPlan {
  const unique = [...new Set(targets)];
  const total = unique.length;
  const canarySize = Math.min(total, canaryCount(strategy.canary, total));
  const canary = unique.slice(0, canarySize);
  const batches: TargetId[][] = [];
  let next = canarySize;
  for (let i = 0; next < total; i = Math.min(i + 1, strategy.batches.length - 1)) {
    const size = strategy.batches.length === 0 ? total : batchCount(strategy.batches[i], total, i);
    batches.push(unique.slice(next, next + size));
    next += size;
  }
  return { canary, batches };
}

// Percentages are taken as (pct * total) / 100, not (pct / 100) * total: the latter lands just below a
// whole number for some inputs (0.29 * 100 = 28.999…), which Ansible truncates to one host too few.
function canaryCount(size: BatchSize, total: number): number {
  if (typeof size === 'number') {
    if (Number.isInteger(size) && size >= 0) return size;
  } else {
    const pct = percentOf(size);
    if (pct !== undefined && pct <= 100) return pct === 0 ? 0 : Math.max(1, Math.ceil((pct * total) / 100));
  }
  throw new ValidationError('rollout strategy', [
    {
      path: 'canary',
      message: `${JSON.stringify(size)} is not a canary size; use a whole number or 'N%' with 0 <= N <= 100`,
    },
  ]);
}

function batchCount(size: BatchSize | undefined, total: number, index: number): number {
  if (typeof size === 'number') {
    if (Number.isInteger(size) && size >= 1) return size;
  } else if (size !== undefined) {
    const pct = percentOf(size);
    if (pct !== undefined && pct > 0 && pct <= 100) return Math.max(1, Math.floor((pct * total) / 100));
  }
  throw new ValidationError('rollout strategy', [
    {
      path: `batches[${index}]`,
      message: `${JSON.stringify(size)} is not a batch size; use a whole number of at least 1 or 'N%' with 0 < N <= 100`,
    },
  ]);
}
