import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editDistance, rankByDistance } from '../../../src/inventory/closest-matches.js';

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}$/);

/** What "closest first" promises when an unknown workflow is refused with the known ones listed. */
describe('rankByDistance', () => {
  it('lists every known name once, closest first (ties by name)', () => {
    fc.assert(
      fc.property(name, fc.uniqueArray(name, { maxLength: 12 }), (input, names) => {
        const ranked = rankByDistance(input, names);
        expect([...ranked].sort()).toEqual([...names].sort());
        for (let i = 1; i < ranked.length; i++) {
          const [a, b] = [ranked[i - 1]!, ranked[i]!];
          const [da, db] = [editDistance(input, a, Infinity), editDistance(input, b, Infinity)];
          expect(da < db || (da === db && a.localeCompare(b) < 0)).toBe(true);
        }
      }),
    );
  });

  it('puts the name itself, then a one-edit typo of it, before anything further away', () => {
    fc.assert(
      fc.property(name, fc.uniqueArray(name, { maxLength: 8 }), fc.nat(), (wanted, others, at) => {
        const typo =
          wanted.length > 1
            ? wanted.slice(0, at % wanted.length) + wanted.slice((at % wanted.length) + 1)
            : `${wanted}x`;
        const far = others.filter((o) => editDistance(typo, o, Infinity) > 1 && o !== wanted);
        const ranked = rankByDistance(typo, [...far, wanted]);
        expect(ranked[0]).toBe(wanted);
      }),
    );
  });

  it('is zero only for equal names, and symmetric', () => {
    fc.assert(
      fc.property(name, name, (a, b) => {
        expect(editDistance(a, b, Infinity) === 0).toBe(a === b);
        expect(editDistance(a, b, Infinity)).toBe(editDistance(b, a, Infinity));
      }),
    );
  });
});
