/**
 * HAProxy weights that send `share` percent of requests to the secondary region's servers and the rest
 * to the primary's. Servers on one side get the same weight, so a side's traffic is split evenly.
 *
 * With p primary and s secondary servers, per-server weights wp and ws give the secondary
 * ws·s / (ws·s + wp·p) of the traffic; ws = share·p and wp = (100 − share)·s make that exact. Reduced by
 * their common divisor they usually fit HAProxy's 0–256 range. Where it keeps them whole, a primary
 * server gets its part of `fullWeight` (75 of 100 at a quarter), so the numbers read naturally. Only when the exact pair does not
 * fit are they scaled down and rounded, never to 0 for a side that must get traffic.
 */
export interface WeightPlanInput {
  primary: readonly string[];
  secondary: readonly string[];
  /** The weight a server gets when its side serves everything (1–256). */
  fullWeight: number;
}

export interface WeightPlan {
  /** Server name → weight, 0–256. */
  weights: ReadonlyMap<string, number>;
  /** The share of traffic these weights send to the secondary, in percent (may differ from the ask by rounding). */
  secondaryShare: number;
}

export const MAX_WEIGHT = 256;

export function planWeights(input: WeightPlanInput, share: number): WeightPlan {
  if (!Number.isFinite(share) || share < 0 || share > 100)
    throw new RangeError(`share ${share} is not 0–100`);
  if (input.primary.length === 0 || input.secondary.length === 0)
    throw new RangeError('both regions need at least one server');
  if (!Number.isInteger(input.fullWeight) || input.fullWeight < 1 || input.fullWeight > MAX_WEIGHT)
    throw new RangeError(`fullWeight ${input.fullWeight} is not 1–${MAX_WEIGHT}`);
  const p = input.primary.length;
  const s = input.secondary.length;
  const [wp, ws] = perServerWeights(p, s, share, input.fullWeight);
  const weights = new Map<string, number>();
  for (const name of input.primary) weights.set(name, wp);
  for (const name of input.secondary) weights.set(name, ws);
  return { weights, secondaryShare: (100 * ws * s) / (ws * s + wp * p) };
}

function perServerWeights(p: number, s: number, share: number, full: number): [number, number] {
  if (share === 0) return [full, 0];
  if (share === 100) return [0, full];
  // Shares may be fractional in callers' hands; work in hundredths of a percent to stay integral.
  const units = Math.round(share * 100);
  let ws = units * p;
  let wp = (10_000 - units) * s;
  // First choice: a primary server keeps its part of fullWeight (75 of 100 at a quarter) and secondary
  // servers take what balances it, when both are whole and in range.
  const natural: [number, number] = [(full * wp) / (10_000 * s), (full * ws) / (10_000 * s)];
  if (natural.every((w) => Number.isInteger(w) && w <= MAX_WEIGHT) && natural[0] > 0 && natural[1] > 0)
    return natural;
  const g = gcd(ws, wp);
  ws /= g;
  wp /= g;
  const top = Math.max(ws, wp);
  if (top <= MAX_WEIGHT) {
    const k = Math.max(1, Math.floor(full / top));
    return [wp * k, ws * k];
  }
  const scale = MAX_WEIGHT / top;
  return [Math.max(1, Math.round(wp * scale)), Math.max(1, Math.round(ws * scale))];
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
