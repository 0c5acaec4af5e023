import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judge } from '../../../src/checks/check-verdict.js';
import { percentile, summarize } from '../../../src/checks/latency-stats.js';

describe('latency percentiles and error rates', () => {
  it('takes the nearest rank: p95 of 1..100 is 95, p50 of four is the second', () => {
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => 100 - i),
        95,
      ),
    ).toBe(95);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    expect(percentile([], 95)).toBe(0);
  });

  it('is a value of the set, rises with p, and p100 is the maximum', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 100 }),
        (values, p, q) => {
          const [lo, hi] = p <= q ? [p, q] : [q, p];
          expect(values).toContain(percentile(values, lo));
          expect(percentile(values, lo)).toBeLessThanOrEqual(percentile(values, hi));
          expect(percentile(values, 100)).toBe(Math.max(...values));
          // At least p% of the values are at or below the p-th percentile.
          expect(
            values.filter((v) => v <= percentile(values, lo)).length / values.length,
          ).toBeGreaterThanOrEqual(lo / 100);
        },
      ),
    );
  });

  it('counts failures and their reasons, most frequent first', () => {
    const summary = summarize([
      { ok: true, ms: 10 },
      { ok: false, ms: 20, failure: 'status 503' },
      { ok: false, ms: 30, failure: 'status 503' },
      { ok: false, ms: 2000, failure: 'timeout after 2000 ms' },
    ]);
    expect(summary).toMatchObject({
      requests: 4,
      failures: 3,
      errorRate: 0.75,
      p50: 20,
      p95: 2000,
      max: 2000,
    });
    expect(summary.failureReasons).toEqual([
      { reason: 'status 503', count: 2 },
      { reason: 'timeout after 2000 ms', count: 1 },
    ]);
  });
});

describe('a check against its thresholds', () => {
  const summary = {
    requests: 100,
    failures: 2,
    errorRate: 0.02,
    p50: 40,
    p95: 250,
    max: 900,
    failureReasons: [],
  };

  it('passes within both thresholds, at the limits included', () => {
    expect(judge(summary, { maxErrorRate: 0.02, p95: 250 })).toEqual({ pass: true, breaches: [] });
  });

  it('names each threshold missed', () => {
    expect(judge(summary, { maxErrorRate: 0.01, p95: 200 })).toEqual({
      pass: false,
      breaches: ['error rate 2.0% over 1.0%', 'p95 250 ms over 200 ms'],
    });
  });

  it('fails a check that sent nothing', () => {
    expect(judge(summarize([]), { maxErrorRate: 1, p95: 1e9 }).pass).toBe(false);
  });
});
