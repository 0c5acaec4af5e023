import { ErrorCode, MarshalError } from '../../errors/index.js';

/** Four-eyes: the person who asked for a run may not decide its gates. */
export class ApprovalRefused extends MarshalError {
  override name = 'ApprovalRefused';
  constructor(runId: string, gateId: string, by: string, options: { cause?: unknown } = {}) {
    super(
      ErrorCode.ApprovalRefused,
      `${by} asked for run ${runId} and cannot approve its own gate ${gateId}: another person must decide (four-eyes)`,
      { retryable: false, context: { runId, gateId, by }, cause: options.cause },
    );
  }
}
