import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBatchList, readSize } from '../../../src/engine/rollout/batch-size.js';
import { parseDuration, readDuration } from '../../../src/engine/rollout/duration.js';
import { ValidationError } from '../../../src/errors/validation-error.js';

const UNITS = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
] as const;

/** A duration as a person writes it: some of h, m, s, ms, largest first, each a whole number. */
const durationParts = fc.tuple(
  fc.option(fc.nat(99)),
  fc.option(fc.nat(999)),
  fc.option(fc.nat(999)),
  fc.option(fc.nat(999)),
);

describe('durations (properties)', () => {
  it('reads any largest-first combination of units as the sum of its parts', () => {
    fc.assert(
      fc.property(durationParts, (parts) => {
        fc.pre(parts.some((p) => p !== null));
        const text = parts.map((n, i) => (n === null ? '' : `${n}${UNITS[i]![0]}`)).join('');
        const ms = parts.reduce<number>((sum, n, i) => sum + (n ?? 0) * UNITS[i]![1], 0);
        expect(readDuration(text)).toBe(ms);
        expect(parseDuration(` ${text} `)).toBe(ms);
      }),
    );
  });

  it('refuses units out of order or repeated', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 99 }), (a, b) => {
        expect(readDuration(`${a}s${b}m`)).toBeUndefined();
        expect(readDuration(`${a}m${b}m`)).toBeUndefined();
        expect(readDuration(`${a}ms${b}s`)).toBeUndefined();
      }),
    );
  });

  it('answers any text with a whole number of ms or a ValidationError, never anything else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 16 }), (text) => {
        const ms = readDuration(text);
        if (ms === undefined) expect(() => parseDuration(text, 'delay')).toThrow(ValidationError);
        else {
          expect(Number.isInteger(ms)).toBe(true);
          expect(ms).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });
});

describe('batch sizes (properties)', () => {
  it('reads whole counts from 1 and percentages in (0, 100] the one way they are spelled', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (n) => {
        expect(readSize(n, 1)).toEqual({ ok: true, size: n });
        expect(readSize(String(n), 1)).toEqual({ ok: true, size: n });
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (hundredths) => {
        const p = hundredths / 100;
        expect(readSize(`${p}%`, 1)).toEqual({ ok: true, size: `${p}%` });
      }),
    );
  });

  it('refuses percentages above 100 and counts below the minimum, as out of range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 101, max: 100_000 }),
        fc.constantFrom(0 as const, 1 as const),
        (p, min) => {
          expect(readSize(`${p}%`, min)).toEqual({ ok: false, refused: 'range' });
        },
      ),
    );
  });

  it('never throws on any value; every refusal says shape or range', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 12 }), fc.double()),
        fc.constantFrom(0 as const, 1 as const),
        (v, min) => {
          const r = readSize(v, min);
          if (!r.ok) expect(['shape', 'range']).toContain(r.refused);
        },
      ),
    );
  });

  it('parses a comma-separated list back into the sizes it was written from', () => {
    const size = fc.oneof(
      fc.integer({ min: 1, max: 500 }),
      fc.integer({ min: 1, max: 100 }).map((p): `${number}%` => `${p}%`),
    );
    fc.assert(
      fc.property(fc.array(size, { minLength: 1, maxLength: 8 }), (sizes) => {
        expect(parseBatchList(sizes.join(', '))).toEqual(sizes);
      }),
    );
  });
});
