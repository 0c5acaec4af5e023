import { ErrorCode, MarshalError } from '../../errors/index.js';

/** A named lock another run holds. Not retryable: the holder keeps it until its run ends. */
export class LockConflict extends MarshalError {
  override name = 'LockConflict';
  constructor(
    readonly lock: string,
    readonly holder: string,
    readonly holderReason: string,
    options: { cause?: unknown } = {},
  ) {
    super(ErrorCode.LockConflict, `lock ${lock} is held by run ${holder} (${holderReason})`, {
      retryable: false,
      context: { lock, holder, reason: holderReason },
      cause: options.cause,
    });
  }
}
