import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { restoredAt, summarizeWindow, type TimedSample } from '../../../src/checks/load-generator.js';

const sample = (at: number, ok: boolean): TimedSample => ({
  at,
  ok,
  ms: 5,
  ...(ok ? {} : { failure: 'status 503' }),
});

describe('when service was restored, from what users saw', () => {
  it('is the first success after the last failure', () => {
    const samples = [
      sample(100, true),
      sample(110, false),
      sample(120, false),
      sample(130, true),
      sample(140, true),
    ];
    expect(restoredAt(samples, 105)).toBe(130);
    expect(restoredAt(samples, 125)).toBe(125);
    expect(restoredAt([...samples, sample(150, false)], 105)).toBeUndefined();
  });

  it('from then on every request succeeded, and just before it one failed', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ at: fc.integer({ min: 0, max: 1_000 }), ok: fc.boolean() }), {
          selector: (s) => s.at,
        }),
        fc.integer({ min: 0, max: 1_000 }),
        (raw, since) => {
          const samples = raw.map((s) => sample(s.at, s.ok));
          const after = samples.filter((s) => s.at >= since).sort((a, b) => a.at - b.at);
          const r = restoredAt(samples, since);
          if (r === undefined) {
            expect(after.at(-1)?.ok).toBe(false);
            return;
          }
          expect(after.filter((s) => s.at >= r).every((s) => s.ok)).toBe(true);
          if (r !== since) expect(after.filter((s) => s.at < r).at(-1)?.ok).toBe(false);
          else expect(after.every((s) => s.ok)).toBe(true);
        },
      ),
    );
  });

  it('sums up one window of the drill', () => {
    const samples = [sample(100, true), sample(110, false), sample(120, true), sample(200, false)];
    expect(summarizeWindow(samples, 105, 150)).toMatchObject({ requests: 2, failures: 1, errorRate: 0.5 });
  });
});
