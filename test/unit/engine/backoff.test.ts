import { describe, expect, it } from 'vitest';
import { backoffDelay, shouldRetry } from '../../../src/engine/retry/backoff.js';
import type { RetryPolicy } from '../../../src/engine/model/workflow.js';
import { ErrorCode } from '../../../src/errors/error-code.js';
import { MarshalError } from '../../../src/errors/marshal-error.js';
import { ValidationError } from '../../../src/errors/validation-error.js';
import { seededRandom } from '../../support/random.js';

const policy: RetryPolicy = { retries: 5, initialDelayMs: 1_000, maxDelayMs: 30_000 };
const middle = () => 0.5;

describe('backoffDelay', () => {
  it('doubles from the initial delay when jitter sits in the middle', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(policy, a, middle))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000,
    ]);
  });

  it('caps at maxDelayMs, even for huge attempt numbers', () => {
    expect(backoffDelay(policy, 6, middle)).toBe(30_000);
    expect(backoffDelay(policy, 5_000, middle)).toBe(30_000);
  });

  it('moves the delay by at most 20% either way', () => {
    expect(backoffDelay(policy, 3, () => 0)).toBe(3_200);
    expect(backoffDelay(policy, 3, () => 0.999999)).toBe(4_800);
  });

  it('never exceeds maxDelayMs nor goes below 0, over many random draws', () => {
    const random = seededRandom(7);
    for (let attempt = 1; attempt <= 40; attempt++) {
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelay(policy, attempt, random);
        const base = Math.min(30_000, 1_000 * 2 ** (attempt - 1));
        expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
        expect(delay).toBeLessThanOrEqual(Math.min(30_000, Math.ceil(base * 1.2)));
      }
    }
  });

  it('is 0 for a zero-delay policy', () => {
    expect(backoffDelay({ retries: 3, initialDelayMs: 0, maxDelayMs: 0 }, 10)).toBe(0);
    expect(backoffDelay({ retries: 3, initialDelayMs: 0, maxDelayMs: 5_000 }, 10)).toBe(0);
  });

  it('treats attempt 0 or less like the first attempt and tolerates a bad random source', () => {
    expect(backoffDelay(policy, 0, middle)).toBe(1_000);
    expect(backoffDelay(policy, 1, () => Number.NaN)).toBe(1_000);
    expect(backoffDelay(policy, 1, () => 7)).toBe(1_200);
  });
});

describe('shouldRetry', () => {
  const two: RetryPolicy = { retries: 2, initialDelayMs: 10, maxDelayMs: 100 };

  it('retries an unknown error while attempts remain', () => {
    const err = new TypeError('socket hang up');
    expect([1, 2, 3].map((attempt) => shouldRetry(err, attempt, two))).toEqual([true, true, false]);
  });

  it('retries a retryable MarshalError while attempts remain', () => {
    const err = new MarshalError(ErrorCode.HostUnreachable, 'web-01 did not answer', { retryable: true });
    expect(shouldRetry(err, 1, two)).toBe(true);
    expect(shouldRetry(err, 3, two)).toBe(false);
  });

  it('never retries a MarshalError that is not retryable', () => {
    expect(shouldRetry(new MarshalError(ErrorCode.HostKeyRejected, 'host key changed'), 1, two)).toBe(false);
    expect(shouldRetry(new ValidationError('params', [{ path: 'hosts', message: 'required' }]), 1, two)).toBe(
      false,
    );
  });

  it('never retries under the default no-retry policy', () => {
    expect(shouldRetry(new Error('boom'), 1, { retries: 0, initialDelayMs: 0, maxDelayMs: 0 })).toBe(false);
  });
});
