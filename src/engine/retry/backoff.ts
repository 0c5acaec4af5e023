// TEMP stand-in until engine-core lands.
import { isMarshalError } from '../../errors/index.js';
import type { RetryPolicy } from '../model/workflow.js';
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
}
export function shouldRetry(err: unknown, attempt: number, policy: RetryPolicy | undefined): boolean {
  if (!policy) return false;
  if (isMarshalError(err) && !err.retryable) return false;
  return attempt <= policy.retries;
}
