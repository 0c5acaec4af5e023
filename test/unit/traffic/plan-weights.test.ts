import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_WEIGHT, planWeights } from '../../../src/traffic/weights/plan-weights.js';

const names = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

describe('HAProxy weights for a share of traffic on the secondary', () => {
  it('reads naturally for one server a side: 75/25 at a quarter, all or nothing at the ends', () => {
    const sides = { primary: ['west1'], secondary: ['central1'], fullWeight: 100 };
    expect([...planWeights(sides, 25).weights]).toEqual([
      ['west1', 75],
      ['central1', 25],
    ]);
    expect([...planWeights(sides, 0).weights]).toEqual([
      ['west1', 100],
      ['central1', 0],
    ]);
    expect([...planWeights(sides, 100).weights]).toEqual([
      ['west1', 0],
      ['central1', 100],
    ]);
  });

  it('gives each side its share whatever the server counts (two primaries, one secondary, half)', () => {
    const plan = planWeights({ primary: ['a', 'b'], secondary: ['c'], fullWeight: 100 }, 50);
    expect([...plan.weights.values()]).toEqual([50, 50, 100]);
    expect(plan.secondaryShare).toBe(50);
  });

  const sides = fc.record({
    p: fc.integer({ min: 1, max: 4 }),
    s: fc.integer({ min: 1, max: 4 }),
    fullWeight: fc.integer({ min: 1, max: MAX_WEIGHT }),
    share: fc.integer({ min: 0, max: 100 }),
  });

  it('always gives whole weights within 0–256, equal on a side, none to a side that gets 0%', () => {
    fc.assert(
      fc.property(sides, ({ p, s, fullWeight, share }) => {
        const plan = planWeights({ primary: names('p', p), secondary: names('s', s), fullWeight }, share);
        const primary = names('p', p).map((n) => plan.weights.get(n)!);
        const secondary = names('s', s).map((n) => plan.weights.get(n)!);
        for (const w of [...primary, ...secondary])
          expect(Number.isInteger(w) && w >= 0 && w <= MAX_WEIGHT).toBe(true);
        expect(new Set(primary).size).toBe(1);
        expect(new Set(secondary).size).toBe(1);
        expect(secondary[0]! > 0).toBe(share > 0);
        expect(primary[0]! > 0).toBe(share < 100);
      }),
    );
  });

  it('sends the share asked for: exactly when the reduced weights fit HAProxy, within a point otherwise', () => {
    fc.assert(
      fc.property(sides, ({ p, s, fullWeight, share }) => {
        const plan = planWeights({ primary: names('p', p), secondary: names('s', s), fullWeight }, share);
        const ws = share * p;
        const wp = (100 - share) * s;
        const g = gcd(ws, wp);
        const fits = Math.max(ws / g, wp / g) <= MAX_WEIGHT;
        expect(Math.abs(plan.secondaryShare - share)).toBeLessThanOrEqual(fits ? 1e-9 : 1);
      }),
    );
  });

  it('refuses a share outside 0–100 and a side without servers', () => {
    expect(() => planWeights({ primary: ['a'], secondary: ['b'], fullWeight: 100 }, 101)).toThrow(RangeError);
    expect(() => planWeights({ primary: [], secondary: ['b'], fullWeight: 100 }, 5)).toThrow(RangeError);
  });
});
