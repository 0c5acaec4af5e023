import { WorkflowDefinitionError } from '../errors/workflow-definition-error.js';

export interface DagNode {
  readonly id: string;
  /** Ids of the nodes this one runs after. */
  readonly upstream: readonly string[];
}

/** For each node, the nodes that run after it, in declaration order. */
export function downstreamOf(nodes: readonly DagNode[]): Map<string, string[]> {
  const downstream = new Map<string, string[]>();
  for (const node of nodes) downstream.set(node.id, []);
  for (const node of nodes) {
    for (const up of node.upstream) downstream.get(up)?.push(node.id);
  }
  return downstream;
}

/**
 * Checks that `nodes` form a DAG (unique ids, known dependencies, no cycle) and returns a topological
 * order. Among nodes that are ready at the same time, declaration order wins, so the order reads like
 * the workflow file. Throws WorkflowDefinitionError naming the offending tasks.
 */
export function validateDag(nodes: readonly DagNode[], workflow?: string): { order: string[] } {
  if (nodes.length === 0) {
    throw new WorkflowDefinitionError('has no tasks; a workflow needs at least one task', { workflow });
  }
  const index = new Map<string, number>();
  nodes.forEach((node, i) => {
    if (index.has(node.id)) {
      throw new WorkflowDefinitionError(`task id '${node.id}' is defined twice; task ids must be unique`, {
        workflow,
        tasks: [node.id],
      });
    }
    index.set(node.id, i);
  });
  const known = nodes.map((n) => n.id).join(', ');
  for (const node of nodes) {
    for (const up of node.upstream) {
      if (!index.has(up)) {
        throw new WorkflowDefinitionError(
          `task '${node.id}' depends on '${up}', which does not exist; known tasks: ${known}`,
          { workflow, tasks: [node.id, up] },
        );
      }
    }
  }

  const downstream = downstreamOf(nodes);
  const cycle = findCycle(nodes, downstream);
  if (cycle) {
    throw new WorkflowDefinitionError(`tasks form a cycle: ${cycle.join(' → ')}`, {
      workflow,
      tasks: [...new Set(cycle)],
    });
  }
  return { order: kahn(nodes, downstream, index) };
}

function kahn(
  nodes: readonly DagNode[],
  downstream: Map<string, string[]>,
  index: Map<string, number>,
): string[] {
  const remaining = new Map(nodes.map((n) => [n.id, new Set(n.upstream).size]));
  const ready = nodes.filter((n) => remaining.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  const byDeclaration = (a: string, b: string): number => (index.get(a) ?? 0) - (index.get(b) ?? 0);
  for (let id = ready.shift(); id !== undefined; id = ready.shift()) {
    order.push(id);
    for (const down of new Set(downstream.get(id))) {
      const left = (remaining.get(down) ?? 0) - 1;
      remaining.set(down, left);
      if (left === 0) {
        ready.push(down);
        ready.sort(byDeclaration);
      }
    }
  }
  return order;
}

/** The first cycle found, in the direction work flows (`a → b` means b runs after a), closed on itself. */
function findCycle(nodes: readonly DagNode[], downstream: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];

  const visit = (id: string): string[] | undefined => {
    state.set(id, 'visiting');
    path.push(id);
    for (const next of downstream.get(id) ?? []) {
      const s = state.get(next);
      if (s === 'visiting') return [...path.slice(path.indexOf(next)), next];
      if (s === undefined) {
        const found = visit(next);
        if (found) return found;
      }
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };

  for (const node of nodes) {
    if (state.get(node.id) === undefined) {
      const found = visit(node.id);
      if (found) return found;
    }
  }
  return undefined;
}
