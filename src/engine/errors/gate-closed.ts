import { ErrorCode, MarshalError } from '../../errors/index.js';

/** An approval gate that ended without approval (rejected, or timed out: fails closed). */
export class GateClosed extends MarshalError {
  override name = 'GateClosed';
  constructor(gateId: string, outcome: string, by: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.GateClosed, `gate ${gateId} was ${outcome} by ${by}`, {
      retryable: false,
      context: { gateId, outcome, by },
      cause: options.cause,
    });
  }
}
