import { ErrorCode } from '../errors/index.js';
import { ValidationError } from '../errors/index.js';
import { validateDag } from './dag/graph.js';
import type { WorkflowDefinition } from './dag/workflow-definition.js';
import { UnknownWorkflow } from './errors/unknown-workflow.js';

/** Any workflow, whatever its params; the engine validates params with the workflow's own schema. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyWorkflow = WorkflowDefinition<any>;

/** The workflows a process knows, by the name operators type. Front ends and workers share one. */
export interface WorkflowRegistry {
  get(name: string): AnyWorkflow;
  has(name: string): boolean;
  names(): string[];
}

/** Builds a registry; a duplicate or unnamed workflow is refused here, at start-up, not at run time. */
export function createRegistry(workflows: readonly AnyWorkflow[]): WorkflowRegistry {
  const byName = new Map<string, AnyWorkflow>();
  for (const [i, wf] of workflows.entries()) {
    if (
      !wf ||
      typeof wf.name !== 'string' ||
      wf.name === '' ||
      !(wf.tasks instanceof Map) ||
      wf.tasks.size === 0
    ) {
      throw new ValidationError(
        'workflow registry',
        [
          {
            path: `[${i}]`,
            message: 'not a workflow definition with a name and tasks: build it with defineWorkflow()',
          },
        ],
        {
          code: ErrorCode.InvalidWorkflow,
        },
      );
    }
    if (byName.has(wf.name)) {
      throw new ValidationError(
        'workflow registry',
        [{ path: `[${i}].name`, message: `two workflows are named "${wf.name}"; names must be unique` }],
        {
          code: ErrorCode.InvalidWorkflow,
        },
      );
    }
    // Definitions are validated by defineWorkflow; checked again so a hand-built one cannot slip in.
    validateDag([...wf.tasks.values()], wf.name);
    byName.set(wf.name, wf);
  }
  return {
    get(name) {
      const wf = byName.get(name);
      if (!wf) throw new UnknownWorkflow(name, [...byName.keys()]);
      return wf;
    },
    has: (name) => byName.has(name),
    names: () => [...byName.keys()].sort(),
  };
}
