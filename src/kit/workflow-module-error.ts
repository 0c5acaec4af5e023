import { ErrorCode } from '../errors/error-code.js';
import { MarshalError } from '../errors/marshal-error.js';

export interface ModuleProblem {
  /** The module's file (or `built-in <name>`). */
  readonly file: string;
  /** The task (or field, e.g. `params`, `syntax.flags.canary`) the problem is about, if any. */
  readonly task?: string;
  readonly problem: string;
  readonly fix: string;
}

/**
 * A workflow module Marshal refuses to start with: it does not load, does not validate, or clashes with
 * another. The message names the file, the task or field, what is wrong and how to fix it.
 */
export class WorkflowModuleError extends MarshalError {
  override name = 'WorkflowModuleError';

  constructor(
    readonly problem: ModuleProblem,
    options: { cause?: unknown } = {},
  ) {
    super(ErrorCode.InvalidWorkflow, describeProblem(problem), {
      retryable: false,
      context: { ...problem },
      cause: options.cause,
    });
  }
}

/** `<file>: task 'x': <problem>. Fix: <fix>` — one line an operator can act on. */
export function describeProblem(p: ModuleProblem): string {
  const problem = p.problem.replace(/\.$/, '');
  return `workflow module ${p.file}: ${p.task ? `${p.task}: ` : ''}${problem}. Fix: ${p.fix}`;
}
