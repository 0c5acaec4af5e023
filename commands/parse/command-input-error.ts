import { ErrorCode, MarshalError } from '../../src/errors/index.js';

/**
 * Slash-command text Marshal refuses. It names the part that was wrong (`--canary`, `<selector>`,
 * `subcommand`…), what was wrong, what is allowed, and the command's usage line, so the operator can
 * fix the command without reading the docs.
 */
export class CommandInputError extends MarshalError {
  override name = 'CommandInputError';

  constructor(
    readonly part: string,
    readonly problem: string,
    readonly allowed: string,
    readonly usage?: string,
  ) {
    super(ErrorCode.InvalidInput, `${part}: ${problem}. Allowed: ${allowed}.`, {
      retryable: false,
      context: { part, problem, allowed, usage },
    });
  }

  withUsage(usage: string): CommandInputError {
    return this.usage ? this : new CommandInputError(this.part, this.problem, this.allowed, usage);
  }
}
