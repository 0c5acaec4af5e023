import { ErrorCode, MarshalError } from '../../errors/index.js';

/**
 * A host answered a probe with output Marshal cannot read (a different `df`, a missing `/etc/os-release`).
 * Not retryable: the same host gives the same answer; an operator has to look at it.
 */
export class UnexpectedHostOutputError extends MarshalError {
  override name = 'UnexpectedHostOutputError';

  constructor(probe: string, problem: string, output: string, context: Record<string, unknown> = {}) {
    super(ErrorCode.UnexpectedHostOutput, `Cannot read the output of ${probe}: ${problem}`, {
      retryable: false,
      // A short excerpt is enough to see what the host said; whole outputs belong in the log.
      context: { ...context, probe, output: output.length > 300 ? `${output.slice(0, 300)}…` : output },
    });
  }
}
