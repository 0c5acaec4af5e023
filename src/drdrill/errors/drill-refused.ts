import { ErrorCode, MarshalError } from '../../errors/index.js';

/** A pre-check refused the drill before any traffic moved: the reason says what, and what to do. */
export class DrillRefused extends MarshalError {
  override name = 'DrillRefused';

  constructor(
    readonly scenario: string,
    readonly reason: string,
    context: Record<string, unknown> = {},
  ) {
    super(ErrorCode.DrillRefused, `DR drill ${scenario} refused: ${reason}. Nothing was changed.`, {
      retryable: false,
      context: { scenario, ...context },
    });
  }
}
