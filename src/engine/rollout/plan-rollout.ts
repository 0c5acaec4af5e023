import { ValidationError } from '../../errors/validation-error.js';
import type { BatchSize, RolloutStrategy, TargetId } from '../model/workflow.js';
import { percentOf } from './batch-size.js';
import type { DomainLookup } from './failure-domain.js';

export interface RolloutPlan {
  /** Worked on first, alone; empty when the strategy has no canary (or there are no targets). */
  canary: TargetId[];
  /** The rest, in order; never an empty batch. */
  batches: TargetId[][];
  /**
   * With `maxPer`: each target's value of the var, and the cap the in-batch scheduler holds to (never
   * more than `n` targets of one value in flight at once).
   */
  maxPer?: { n: number; domains: Record<TargetId, string> };
}

type Strategy = Pick<RolloutStrategy, 'canary' | 'batches' | 'maxPer' | 'by'>;

/**
 * Splits targets into the canary and the batches after it. Every target lands exactly once (duplicates
 * in `targets` are dropped), in the order given.
 *
 * - Canary: a count, or a percentage of all targets rounded up (so `'5%'` of 10 targets is 1, never
 *   0); 0 or `'0%'` means no canary.
 * - Batches: Ansible's `serial` over the targets left after the canary. A percentage is of the total
 *   target count, as Ansible takes it of the play's hosts, rounded down but at least 1; the last size
 *   repeats until every target is placed, and a batch never takes more than what remains.
 * - `by: var` (zone by zone): targets are grouped by their value of `var`, in order of first appearance;
 *   the canary comes from the first group, and each group walks the batch sizes on its own (a
 *   percentage is of the group), so no batch mixes values.
 * - `maxPer: { var, n }`: the targets (of each group) are spread round-robin across the values of `var`
 *   so that a batch mixes them and the cap costs little parallelism; the cap itself is the in-batch
 *   scheduler's (`RolloutPlan.maxPer`).
 *
 * Refused (ValidationError, naming the field and the hosts) when a target has no single value of a
 * failure-domain var, or when the canary is larger than the first `by` group.
 */
export function planRollout(
  targets: readonly TargetId[],
  strategy: Strategy,
  domainOf: DomainLookup = () => undefined,
): RolloutPlan {
  const unique = [...new Set(targets)];
  const maxPerDomains = strategy.maxPer
    ? domainsOf(unique, strategy.maxPer.var, 'maxPer', domainOf)
    : undefined;
  const spread = (list: TargetId[]): TargetId[] => (maxPerDomains ? roundRobin(list, maxPerDomains) : list);
  const withCap = (plan: Omit<RolloutPlan, 'maxPer'>): RolloutPlan =>
    strategy.maxPer && maxPerDomains
      ? { ...plan, maxPer: { n: strategy.maxPer.n, domains: Object.fromEntries(maxPerDomains) } }
      : plan;

  const canarySize = canaryCount(strategy.canary, unique.length);
  if (strategy.by === undefined) {
    return withCap(split(spread(unique), canarySize, strategy.batches, unique.length));
  }

  const byVar = strategy.by;
  const values = domainsOf(unique, byVar, 'by', domainOf);
  const groups = new Map<string, TargetId[]>();
  for (const t of unique) {
    const v = values.get(t) as string;
    groups.set(v, [...(groups.get(v) ?? []), t]);
  }
  const plan: Omit<RolloutPlan, 'maxPer'> = { canary: [], batches: [] };
  [...groups.entries()].forEach(([value, members], i) => {
    if (i === 0 && canarySize > members.length) {
      throw new ValidationError('rollout plan', [
        {
          path: 'canary',
          message:
            `a canary of ${canarySize} hosts is more than ${byVar}=${value} has (${members.length}); ` +
            `with by ${byVar} no batch mixes values, so give a canary of at most ${members.length}`,
        },
      ]);
    }
    // Each value walks the batch sizes on its own: a percentage is of that value's hosts.
    const part = split(spread(members), i === 0 ? canarySize : 0, strategy.batches, members.length);
    if (i === 0) plan.canary = part.canary;
    plan.batches.push(...part.batches);
  });
  return withCap(plan);
}

/** The first `canarySize` targets, then Ansible-style batches of the rest; percentages are of `total`. */
function split(
  list: TargetId[],
  canarySize: number,
  sizes: readonly BatchSize[],
  total: number,
): Omit<RolloutPlan, 'maxPer'> {
  const canary = list.slice(0, Math.min(list.length, canarySize));
  const batches: TargetId[][] = [];
  let next = canary.length;
  for (let i = 0; next < list.length; i = Math.min(i + 1, sizes.length - 1)) {
    const size = sizes.length === 0 ? list.length : batchCount(sizes[i], total, i);
    batches.push(list.slice(next, next + size));
    next += size;
  }
  return { canary, batches };
}

/** Each target's value of `variable`; refused, naming the hosts, when any has none. */
function domainsOf(
  targets: readonly TargetId[],
  variable: string,
  field: 'maxPer' | 'by',
  domainOf: DomainLookup,
): Map<TargetId, string> {
  const values = new Map<TargetId, string>();
  const missing: TargetId[] = [];
  for (const t of targets) {
    const v = domainOf(t, variable);
    if (v === undefined) missing.push(t);
    else values.set(t, v);
  }
  if (missing.length > 0) {
    const shown =
      missing.slice(0, 5).join(', ') + (missing.length > 5 ? ` and ${missing.length - 5} more` : '');
    throw new ValidationError('rollout plan', [
      {
        path: field,
        message:
          `${missing.length === 1 ? 'host' : 'hosts'} ${shown} ${missing.length === 1 ? 'has' : 'have'} no single ` +
          `value of inventory var '${variable}'; ${field === 'maxPer' ? `--max-per ${variable}=N` : `--by ${variable}`} ` +
          'needs every target to have one (set it in the inventory, or drop the flag)',
      },
    ]);
  }
  return values;
}

/** Takes one target of each value in turn (values in order of first appearance), keeping order within a value. */
function roundRobin(list: TargetId[], domains: Map<TargetId, string>): TargetId[] {
  const queues = new Map<string, TargetId[]>();
  for (const t of list) {
    const v = domains.get(t) as string;
    queues.set(v, [...(queues.get(v) ?? []), t]);
  }
  const out: TargetId[] = [];
  const lanes = [...queues.values()];
  for (let i = 0; out.length < list.length; i++)
    for (const lane of lanes) if (i < lane.length) out.push(lane[i] as TargetId);
  return out;
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
