import { performance } from 'node:perf_hooks';
import { judge, type CheckThresholds, type CheckVerdict } from './check-verdict.js';
import { summarize, type RequestSample, type SampleSummary } from './latency-stats.js';

/** One HTTP check of a drill's test suite (the scenario's `suite.checks[]` has this shape). */
export interface HttpCheck {
  name: string;
  path: string;
  method: 'GET' | 'HEAD' | 'POST';
  requests: number;
  concurrency: number;
  timeoutMs: number;
  expect: { status: readonly number[]; contains?: string | undefined };
  thresholds: CheckThresholds;
}

export interface HttpCheckResult {
  check: string;
  /** The URL requests went to. */
  url: string;
  summary: SampleSummary;
  verdict: CheckVerdict;
}

/**
 * Runs a check against `baseUrl`: `requests` real requests, at most `concurrency` in flight, each with its
 * own timeout; a request fails on a wrong status, a body without the expected text, a timeout or a
 * connection error. Aborting `signal` stops sending and rejects with its reason (no verdict from half a run).
 */
export async function runHttpCheck(
  check: HttpCheck,
  baseUrl: string,
  signal?: AbortSignal,
): Promise<HttpCheckResult> {
  const url = new URL(check.path, baseUrl).toString();
  const samples: RequestSample[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < check.requests) {
      signal?.throwIfAborted();
      next++;
      samples.push(await oneRequest(check, url, signal));
    }
  };
  await Promise.all(Array.from({ length: Math.min(check.concurrency, check.requests) }, worker));
  signal?.throwIfAborted();
  const summary = summarize(samples);
  return { check: check.name, url, summary, verdict: judge(summary, check.thresholds) };
}

/** Every check of a suite, one after another (so one check's load does not skew another's latency). */
export async function runHttpSuite(
  checks: readonly HttpCheck[],
  baseUrl: string,
  signal?: AbortSignal,
): Promise<{ pass: boolean; results: HttpCheckResult[] }> {
  const results: HttpCheckResult[] = [];
  for (const check of checks) results.push(await runHttpCheck(check, baseUrl, signal));
  return { pass: results.every((r) => r.verdict.pass), results };
}

async function oneRequest(
  check: HttpCheck,
  url: string,
  signal: AbortSignal | undefined,
): Promise<RequestSample> {
  const timeout = AbortSignal.timeout(check.timeoutMs);
  const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const start = performance.now();
  const ms = (): number => performance.now() - start;
  try {
    const response = await fetch(url, { method: check.method, signal: both });
    const body = check.method === 'HEAD' ? '' : await response.text();
    if (!check.expect.status.includes(response.status))
      return { ok: false, ms: ms(), failure: `status ${response.status}` };
    if (check.expect.contains !== undefined && !body.includes(check.expect.contains))
      return { ok: false, ms: ms(), failure: `body without ${JSON.stringify(check.expect.contains)}` };
    return { ok: true, ms: ms() };
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (timeout.aborted) return { ok: false, ms: ms(), failure: `timeout after ${check.timeoutMs} ms` };
    return { ok: false, ms: ms(), failure: describeFailure(err) };
  }
}

function describeFailure(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message ?? 'request failed';
}
