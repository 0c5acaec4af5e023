import { ErrorCode } from '../../errors/error-code.js';
import { MarshalError } from '../../errors/marshal-error.js';

/**
 * A workflow that cannot be built: a bad task id, a dependency on a task that does not exist, a cycle.
 * Raised when the workflow is defined (at start-up), never while it runs; never retryable.
 */
export class WorkflowDefinitionError extends MarshalError {
  override name = 'WorkflowDefinitionError';
  /** The tasks the problem is about, for tooling; the message names them too. */
  readonly tasks: readonly string[];

  constructor(
    message: string,
    options: { workflow?: string; tasks?: readonly string[]; cause?: unknown } = {},
  ) {
    const tasks = options.tasks ?? [];
    const prefix = options.workflow === undefined ? '' : `workflow '${options.workflow}': `;
    super(ErrorCode.InvalidWorkflow, `${prefix}${message}`, {
      retryable: false,
      context: { workflow: options.workflow, tasks: [...tasks] },
      cause: options.cause,
    });
    this.tasks = tasks;
  }
}
