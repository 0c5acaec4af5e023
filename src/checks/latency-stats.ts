/**
 * What a batch of requests measured, summed up the way SLOs are written: the share that failed and the
 * latency percentiles. Pure; percentiles by nearest rank over every request, failed ones included, since a
 * user waited for those too.
 */
export interface RequestSample {
  ok: boolean;
  /** Milliseconds from sending to the whole body read (or to the failure). */
  ms: number;
  /** Why it failed, when it did: `status 503`, `missing "ok"`, `timeout after 2000 ms`, `ECONNREFUSED`. */
  failure?: string;
}

export interface SampleSummary {
  requests: number;
  failures: number;
  /** failures / requests, 0 when there were none. */
  errorRate: number;
  p50: number;
  p95: number;
  max: number;
  /** The most frequent reasons for failure, most frequent first, with counts. */
  failureReasons: { reason: string; count: number }[];
}

/** The nearest-rank percentile (`p` in 0–100] of `values`; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function summarize(samples: readonly RequestSample[]): SampleSummary {
  const ms = samples.map((s) => s.ms);
  const failures = samples.filter((s) => !s.ok);
  const reasons = new Map<string, number>();
  for (const f of failures) reasons.set(f.failure ?? 'failed', (reasons.get(f.failure ?? 'failed') ?? 0) + 1);
  return {
    requests: samples.length,
    failures: failures.length,
    errorRate: samples.length === 0 ? 0 : failures.length / samples.length,
    p50: percentile(ms, 50),
    p95: percentile(ms, 95),
    max: ms.length === 0 ? 0 : Math.max(...ms),
    failureReasons: [...reasons]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
      .slice(0, 5),
  };
}
