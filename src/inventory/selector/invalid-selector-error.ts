import { ErrorCode, MarshalError } from '../../errors/index.js';

/** A selector that is malformed or names something the inventory does not have. Never retryable. */
export class InvalidSelectorError extends MarshalError {
  override name = 'InvalidSelectorError';

  constructor(selector: string, problem: string, context: Record<string, unknown> = {}) {
    super(ErrorCode.InvalidSelector, `invalid host selector '${selector}': ${problem}`, {
      retryable: false,
      context: { selector, ...context },
    });
  }
}
