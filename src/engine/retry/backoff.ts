import { isMarshalError } from '../../errors/marshal-error.js';
import type { RetryPolicy } from '../model/workflow.js';

/** How far a delay may stray from the exponential curve, either way, so retries of many tasks spread out. */
const JITTER = 0.2;

/**
 * The wait before the next attempt, after attempt `attempt` (1-based) failed: `initialDelayMs *
 * 2^(attempt-1)`, capped at `maxDelayMs`, then moved by up to ±20% and kept within [0, maxDelayMs].
 * `random` is injectable so tests (and replays) are deterministic.
 */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  if (policy.initialDelayMs <= 0 || policy.maxDelayMs <= 0) return 0;
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // 2 ** exponent may be Infinity for absurd attempts; min() still yields the cap.
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
  const factor = 1 - JITTER + 2 * JITTER * clampUnit(random());
  return Math.round(Math.min(policy.maxDelayMs, Math.max(0, base * factor)));
}

function clampUnit(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0.5;
}

/**
 * Whether to try again after attempt `attempt` (1-based) failed with `err`. Errors Marshal marks
 * not retryable (bad input, a refused host key, a rejected gate) never are: the same input fails the
 * same way, and for a DR step a blind retry can do harm. Retryable and unknown errors (a dropped
 * connection, a bug's TypeError) are retried while the policy has attempts left.
 */
export function shouldRetry(err: unknown, attempt: number, policy: RetryPolicy): boolean {
  if (isMarshalError(err) && !err.retryable) return false;
  return attempt <= policy.retries;
}
