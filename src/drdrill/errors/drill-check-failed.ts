import { ErrorCode, MarshalError } from '../../errors/index.js';

/** A check of the drill failed (a region below its SLO, a step's test suite): what failed, where, by how much. */
export class DrillCheckFailed extends MarshalError {
  override name = 'DrillCheckFailed';

  constructor(
    readonly where: string,
    readonly breaches: readonly string[],
    context: Record<string, unknown> = {},
  ) {
    super(ErrorCode.DrillCheckFailed, `${where}: ${breaches.join('; ')}`, {
      retryable: false,
      context: { where, breaches, ...context },
    });
  }
}
