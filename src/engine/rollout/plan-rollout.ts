// TEMP stand-in until engine-core lands.
import type { BatchSize, RolloutStrategy, TargetId } from '../model/workflow.js';
function size(b: BatchSize, total: number): number {
  if (typeof b === 'number') return b;
  return Math.max(1, Math.ceil((parseFloat(b) / 100) * total));
}
export function planRollout(targets: readonly TargetId[], strategy: RolloutStrategy): { canary: string[]; batches: string[][] } {
  const c = targets.length === 0 ? 0 : Math.min(targets.length, size(strategy.canary, targets.length));
  const canary = targets.slice(0, c);
  const rest = targets.slice(c);
  const batches: string[][] = [];
  let i = 0;
  let k = 0;
  while (i < rest.length) {
    const spec = strategy.batches[Math.min(k, strategy.batches.length - 1)] ?? '100%';
    const n = Math.max(1, size(spec, targets.length));
    batches.push(rest.slice(i, i + n));
    i += n;
    k++;
  }
  return { canary, batches };
}
