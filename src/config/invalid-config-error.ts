import { ErrorCode, MarshalError } from '../errors/index.js';

export interface ConfigProblem {
  /** The environment variable or the config-file field that is wrong, e.g. `PORT` or `access.workflows.config-push.approve[1]`. */
  where: string;
  /** What is wrong, never the value itself (it may be a secret). */
  problem: string;
  /** How to fix it. */
  fix: string;
}

/**
 * Marshal refuses to start with a bad setting. The message names every bad variable or field and how to
 * fix it; values are never echoed, because several of them are secrets.
 */
export class InvalidConfigError extends MarshalError {
  override name = 'InvalidConfigError';
  readonly problems: readonly ConfigProblem[];

  constructor(source: string, problems: ConfigProblem[], options: { cause?: unknown } = {}) {
    super(
      ErrorCode.InvalidConfig,
      `${source} is not valid:\n${problems.map((p) => `  - ${p.where}: ${p.problem}. ${p.fix}`).join('\n')}`,
      { retryable: false, context: { source, problems }, cause: options.cause },
    );
    this.problems = problems;
  }
}
