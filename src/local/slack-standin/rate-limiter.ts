import { DEFAULT_TIER_PER_MINUTE, type StandinRateLimits } from './options.js';

export interface RateDecision {
  limited: boolean;
  retryAfterSec: number;
  /** How the call is refused: 429 (rate limited, with Retry-After) unless a storm says 5xx. */
  status?: StormStatus;
}

/** 429 as Slack rate-limits; 500/503 as Slack answers when it is having a bad day (no Retry-After). */
export type StormStatus = 429 | 500 | 503;

export interface StormSpec {
  /** Refuse this many calls from now on. */
  calls?: number;
  /** Refuse every call for this long. */
  durationMs?: number;
  retryAfterSec?: number;
  /** Only these methods; default all. */
  methods?: string[];
  /** What the refused calls get; default 429 with `Retry-After`. */
  status?: StormStatus;
}

const ALLOWED: RateDecision = { limited: false, retryAfterSec: 0 };
const MINUTE_MS = 60_000;

/**
 * Slack's limits, enforced the way Slack reports them: HTTP 429 with `Retry-After` in whole seconds.
 * Windows are sliding per method; `chat.postMessage` is a token bucket per channel; `chat.update` also
 * limits edits of one message. A "storm" refuses calls regardless, to test what clients do under 429s.
 */
export class RateLimiter {
  private readonly perMethod = new Map<string, number[]>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly lastEdit = new Map<string, number>();
  private storm: (StormSpec & { until?: number; left?: number }) | undefined;

  constructor(
    private readonly limits: StandinRateLimits,
    private readonly now: () => number = Date.now,
  ) {}

  startStorm(spec: StormSpec): void {
    this.storm = {
      ...spec,
      left: spec.calls,
      until: spec.durationMs === undefined ? undefined : this.now() + spec.durationMs,
    };
  }

  stopStorm(): void {
    this.storm = undefined;
  }

  /** Decides one call. Only allowed calls count against the windows, as at Slack. */
  check(method: string, args: Record<string, unknown>): RateDecision {
    const stormed = this.checkStorm(method);
    if (stormed) return stormed;
    if (!this.limits.enabled) return ALLOWED;
    const now = this.now();

    if (method === 'chat.postMessage') {
      const decision = this.takeToken(typeof args.channel === 'string' ? args.channel : '', now);
      if (decision.limited) return decision;
    } else {
      const decision = this.checkWindow(method, now);
      if (decision.limited) return decision;
    }
    if (method === 'chat.update') {
      const key = JSON.stringify([args.channel, args.ts]);
      const last = this.lastEdit.get(key);
      if (last !== undefined && now - last < this.limits.updatePerMessageMs) {
        return this.limited(this.limits.updatePerMessageMs - (now - last));
      }
      this.lastEdit.set(key, now);
    }
    if (method !== 'chat.postMessage') this.record(method, now);
    return ALLOWED;
  }

  private checkStorm(method: string): RateDecision | undefined {
    const storm = this.storm;
    if (!storm) return undefined;
    if (storm.methods && !storm.methods.includes(method)) return undefined;
    const expired = storm.until !== undefined && this.now() >= storm.until;
    const spent = storm.left !== undefined && storm.left <= 0;
    if (expired || spent) {
      this.storm = undefined;
      return undefined;
    }
    if (storm.left !== undefined) storm.left -= 1;
    return {
      limited: true,
      retryAfterSec: storm.retryAfterSec ?? this.limits.minRetryAfterSec,
      status: storm.status ?? 429,
    };
  }

  private checkWindow(method: string, now: number): RateDecision {
    const limit = this.limits.perMinute[method] ?? DEFAULT_TIER_PER_MINUTE[method];
    if (limit === undefined) return ALLOWED;
    const recent = (this.perMethod.get(method) ?? []).filter((t) => now - t < MINUTE_MS);
    this.perMethod.set(method, recent);
    if (recent.length < limit) return ALLOWED;
    return this.limited(recent[0]! + MINUTE_MS - now);
  }

  private record(method: string, now: number): void {
    const recent = this.perMethod.get(method) ?? [];
    recent.push(now);
    this.perMethod.set(method, recent);
  }

  private takeToken(channel: string, now: number): RateDecision {
    const rate = this.limits.postMessagePerChannelPerSecond;
    const capacity = this.limits.postMessageBurst;
    const bucket = this.buckets.get(channel) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.buckets.set(channel, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return ALLOWED;
    }
    return this.limited(((1 - bucket.tokens) / rate) * 1000);
  }

  private limited(waitMs: number): RateDecision {
    return { limited: true, retryAfterSec: Math.max(this.limits.minRetryAfterSec, Math.ceil(waitMs / 1000)) };
  }
}
