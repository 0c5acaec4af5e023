import { ErrorCode, MarshalError } from '../../errors/index.js';

/** A sink did not keep a record. `sink` names where (a path or a URL without credentials). */
export class AuditSinkError extends MarshalError {
  override name = 'AuditSinkError';

  constructor(sink: string, why: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(ErrorCode.AuditSinkFailed, `audit sink ${sink} did not keep the record: ${why}`, {
      retryable: options.retryable ?? true,
      context: { sink },
      cause: options.cause,
    });
  }
}
