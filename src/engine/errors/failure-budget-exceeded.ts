import { ErrorCode, MarshalError } from '../../errors/index.js';

/** A rollout stopped because too many targets failed (Ansible's max_fail_percentage). */
export class FailureBudgetExceeded extends MarshalError {
  override name = 'FailureBudgetExceeded';
  constructor(
    rolloutId: string,
    scope: string,
    failed: number,
    total: number,
    limitPercent: number,
    options: { cause?: unknown } = {},
  ) {
    super(
      ErrorCode.FailureBudgetExceeded,
      `rollout ${rolloutId} halted: ${failed} of ${total} targets failed in the ${scope}, more than the ${limitPercent}% allowed`,
      { retryable: false, context: { rolloutId, scope, failed, total, limitPercent }, cause: options.cause },
    );
  }
}
