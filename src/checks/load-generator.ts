import { performance } from 'node:perf_hooks';
import { summarize, type RequestSample, type SampleSummary } from './latency-stats.js';

/** A request as users saw it during a drill: when it started (epoch ms) and how it went. */
export interface TimedSample extends RequestSample {
  at: number;
}

export interface LoadOptions {
  /** Requests in flight at once (each sender sends its next request when the last one ends). */
  concurrency: number;
  /** Pause between a sender's requests, so the load is steady rather than as fast as possible. */
  pauseMs: number;
  timeoutMs: number;
  expect: { status: readonly number[]; contains?: string | undefined };
}

/**
 * Real requests sent through the load balancer for as long as a drill runs, so "no degradation from the
 * user's side" is measured: every request is kept with its start time, and any window of the drill
 * (a step, the rollback) can be summed up afterwards.
 */
export class LoadGenerator {
  private readonly samples: TimedSample[] = [];
  private readonly controller = new AbortController();
  private readonly senders: Promise<void>[];

  private constructor(
    readonly url: string,
    private readonly options: LoadOptions,
  ) {
    this.senders = Array.from({ length: options.concurrency }, () => this.send());
  }

  static start(url: string, options: LoadOptions): LoadGenerator {
    return new LoadGenerator(url, options);
  }

  /** Everything sent so far (a copy). */
  get recorded(): readonly TimedSample[] {
    return [...this.samples];
  }

  /** Stops sending, waits for requests in flight, and returns every sample. */
  async stop(): Promise<TimedSample[]> {
    this.controller.abort();
    await Promise.all(this.senders);
    return [...this.samples];
  }

  private async send(): Promise<void> {
    const stop = this.controller.signal;
    while (!stop.aborted) {
      const at = Date.now();
      const start = performance.now();
      const timeout = AbortSignal.timeout(this.options.timeoutMs);
      try {
        const response = await fetch(this.url, { signal: timeout });
        const body = await response.text();
        const ms = performance.now() - start;
        if (!this.options.expect.status.includes(response.status))
          this.samples.push({ at, ms, ok: false, failure: `status ${response.status}` });
        else if (this.options.expect.contains !== undefined && !body.includes(this.options.expect.contains))
          this.samples.push({
            at,
            ms,
            ok: false,
            failure: `body without ${JSON.stringify(this.options.expect.contains)}`,
          });
        else this.samples.push({ at, ms, ok: true });
      } catch (err) {
        const ms = performance.now() - start;
        const cause = (err as { cause?: { code?: string } }).cause;
        this.samples.push({
          at,
          ms,
          ok: false,
          failure: timeout.aborted
            ? `timeout after ${this.options.timeoutMs} ms`
            : (cause?.code ?? (err as Error).message),
        });
      }
      if (this.options.pauseMs > 0 && !stop.aborted)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.pauseMs);
          stop.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
    }
  }
}

/** The samples that started in [from, to), summed up. Pure. */
export function summarizeWindow(samples: readonly TimedSample[], from: number, to = Infinity): SampleSummary {
  return summarize(samples.filter((s) => s.at >= from && s.at < to));
}

/**
 * When service was restored after `since`: the start of the first successful request after the last
 * failed one (every request from then on succeeded). `since` itself when nothing failed after it;
 * undefined when the last request still failed. Pure.
 */
export function restoredAt(samples: readonly TimedSample[], since: number): number | undefined {
  const after = samples.filter((s) => s.at >= since).sort((a, b) => a.at - b.at);
  let lastFailure = -1;
  after.forEach((s, i) => {
    if (!s.ok) lastFailure = i;
  });
  if (lastFailure === -1) return since;
  return after[lastFailure + 1]?.at;
}
