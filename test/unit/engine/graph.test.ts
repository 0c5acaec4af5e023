import { describe, expect, it } from 'vitest';
import { downstreamOf, validateDag, type DagNode } from '../../../src/engine/dag/graph.js';
import { WorkflowDefinitionError } from '../../../src/engine/errors/workflow-definition-error.js';
import { ErrorCode } from '../../../src/errors/error-code.js';
import { thrownBy } from '../../support/refusal.js';

const n = (id: string, ...upstream: string[]): DagNode => ({ id, upstream });

describe('validateDag', () => {
  it('orders every task after all of its upstream tasks', () => {
    const nodes = [
      n('cleanup', 'audit', 'exec'),
      n('audit', 'exec'),
      n('exec', 'pre'),
      n('pre', 'validate'),
      n('validate'),
    ];
    const { order } = validateDag(nodes);
    expect(order).toHaveLength(nodes.length);
    for (const node of nodes) {
      for (const up of node.upstream) expect(order.indexOf(up)).toBeLessThan(order.indexOf(node.id));
    }
  });

  it('keeps declaration order among tasks that are ready together', () => {
    const { order } = validateDag([n('a'), n('c', 'a'), n('b', 'a'), n('d', 'b', 'c'), n('z')]);
    expect(order).toEqual(['a', 'c', 'b', 'd', 'z']);
  });

  it('accepts a dependency listed twice', () => {
    expect(validateDag([n('a'), n('b', 'a', 'a')]).order).toEqual(['a', 'b']);
  });

  it('refuses an empty workflow', () => {
    const err = thrownBy(WorkflowDefinitionError, () => validateDag([], 'config-push'));
    expect(err.message).toMatch(/config-push.*no tasks/);
    expect(err.code).toBe(ErrorCode.InvalidWorkflow);
    expect(err.retryable).toBe(false);
  });

  it('refuses a duplicate task id, naming it', () => {
    const err = thrownBy(WorkflowDefinitionError, () => validateDag([n('a'), n('b'), n('a')]));
    expect(err.message).toContain("'a' is defined twice");
    expect(err.tasks).toEqual(['a']);
  });

  it('refuses an unknown dependency, naming the task, the dependency and the known tasks', () => {
    const err = thrownBy(WorkflowDefinitionError, () => validateDag([n('a'), n('b', 'x')]));
    expect(err.message).toContain("task 'b' depends on 'x', which does not exist; known tasks: a, b");
    expect(err.tasks).toEqual(['b', 'x']);
  });

  it('refuses a cycle and shows its path', () => {
    const err = thrownBy(WorkflowDefinitionError, () =>
      validateDag([n('start'), n('a', 'start', 'c'), n('b', 'a'), n('c', 'b')]),
    );
    expect(err.message).toContain('a → b → c → a');
    expect([...err.tasks].sort()).toEqual(['a', 'b', 'c']);
  });

  it('refuses a task that depends on itself', () => {
    const err = thrownBy(WorkflowDefinitionError, () => validateDag([n('a', 'a')]));
    expect(err.message).toContain('a → a');
  });

  it('handles a long chain without trouble', () => {
    const nodes = Array.from({ length: 2000 }, (_, i) => (i === 0 ? n('t0') : n(`t${i}`, `t${i - 1}`)));
    expect(validateDag(nodes).order[1999]).toBe('t1999');
  });
});

describe('downstreamOf', () => {
  it('maps every task to the tasks that run after it', () => {
    const map = downstreamOf([n('a'), n('b', 'a'), n('c', 'a', 'b')]);
    expect(Object.fromEntries(map)).toEqual({ a: ['b', 'c'], b: ['c'], c: [] });
  });
});
