import type { SampleSummary } from './latency-stats.js';

export interface CheckThresholds {
  /** Share of requests that may fail, 0–1. */
  maxErrorRate: number;
  /** 95th percentile latency in milliseconds, at most. */
  p95: number;
}

export interface CheckVerdict {
  pass: boolean;
  /** Each threshold missed, in words for the thread: `error rate 12.0% over 1.0%`. */
  breaches: string[];
}

/** A summary against its thresholds. Pure. A check that sent no request fails: nothing was shown to work. */
export function judge(summary: SampleSummary, thresholds: CheckThresholds): CheckVerdict {
  const breaches: string[] = [];
  if (summary.requests === 0) breaches.push('no request was sent');
  if (summary.errorRate > thresholds.maxErrorRate)
    breaches.push(`error rate ${pct(summary.errorRate)} over ${pct(thresholds.maxErrorRate)}`);
  if (summary.p95 > thresholds.p95)
    breaches.push(`p95 ${Math.round(summary.p95)} ms over ${thresholds.p95} ms`);
  return { pass: breaches.length === 0, breaches };
}

function pct(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}
