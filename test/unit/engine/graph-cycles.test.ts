import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downstreamOf, validateDag, type DagNode } from '../../../src/engine/dag/graph.js';
import { WorkflowDefinitionError } from '../../../src/engine/errors/workflow-definition-error.js';

const n = (id: string, ...upstream: string[]): DagNode => ({ id, upstream });

describe('validateDag: cycles anywhere', () => {
  it('finds a cycle that the first tasks do not reach', () => {
    const nodes = [n('a'), n('b', 'a'), n('c', 'd'), n('d', 'c')];
    expect(() => validateDag(nodes, 'wf')).toThrowError(
      expect.objectContaining({ message: "workflow 'wf': tasks form a cycle: c → d → c", tasks: ['c', 'd'] }),
    );
  });

  it('refuses every graph with a back edge, and orders every graph without one', () => {
    // Random graphs over ids 0..n-1: edges from lower to higher ids form a DAG; one edge back closes a cycle.
    const graph = fc
      .integer({ min: 2, max: 8 })
      .chain((size) =>
        fc.tuple(
          fc.constant(size),
          fc.array(fc.tuple(fc.nat(size - 1), fc.nat(size - 1)), { maxLength: 16 }),
          fc.option(fc.tuple(fc.nat(size - 1), fc.nat(size - 1))),
        ),
      );
    fc.assert(
      fc.property(graph, ([size, edges, back]) => {
        const up = Array.from({ length: size }, () => new Set<string>());
        for (const [x, y] of edges) if (x < y) up[y]!.add(`t${x}`);
        const cyclic = back !== null && back[0] < back[1] && reaches(up, back[0], back[1]);
        if (cyclic) up[back[0]]!.add(`t${back[1]}`);
        const nodes = up.map((u, i) => n(`t${i}`, ...u));
        if (cyclic) {
          expect(() => validateDag(nodes)).toThrowError(WorkflowDefinitionError);
        } else {
          const { order } = validateDag(nodes);
          expect([...order].sort()).toEqual(nodes.map((x) => x.id).sort());
          for (const node of nodes)
            for (const u of node.upstream) expect(order.indexOf(u)).toBeLessThan(order.indexOf(node.id));
        }
      }),
    );
  });
});

/** Whether `to` runs (transitively) after `from`. */
function reaches(up: Set<string>[], from: number, to: number): boolean {
  if (from === to) return true;
  return [...up[to]!].some((u) => reaches(up, from, Number(u.slice(1))));
}

describe('downstreamOf', () => {
  it('lists each node’s downstream in declaration order and ignores an unknown upstream', () => {
    expect(downstreamOf([n('a'), n('c', 'a', 'ghost'), n('b', 'a')])).toEqual(
      new Map([
        ['a', ['c', 'b']],
        ['c', []],
        ['b', []],
      ]),
    );
  });
});
