import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { defineWorkflow, type WorkflowBuilder } from '../../../src/authoring/index.js';
import { WorkflowDefinitionError } from '../../../src/engine/errors/workflow-definition-error.js';

const define = (tasks: (wf: WorkflowBuilder<Record<string, never>>) => void) =>
  defineWorkflow({ name: 'gated', summary: 'gates', params: z.object({}), tasks });

const options = [
  { id: 'failback', label: 'Fail back now' },
  { id: 'stay', label: 'Stay on DR' },
];

describe('approval and choice gates in a definition', () => {
  it('compiles gates anywhere: their handles order downstream and carry kind, prompt, options and default', () => {
    const def = define((wf) => {
      const a = wf.task('a', async () => 1);
      const go = wf.approval('go', { after: a, timeoutMs: 60_000, prompt: 'Go?' });
      const next = wf.choice('next', { after: go, options, timeoutMs: 1_000, default: 'stay' });
      wf.task('b', async (ctx) => ctx.output(next) ?? 'none', { after: next });
    });
    expect(def.order).toEqual(['a', 'go', 'next', 'b']);
    const next = def.tasks.get('next');
    expect(next).toMatchObject({
      kind: 'gate',
      upstream: ['go'],
      rolloutId: undefined,
      timeoutMs: 1_000,
      gate: { kind: 'choice', options, default: 'stay', timeoutMs: 1_000 },
    });
    expect(def.tasks.get('go')).toMatchObject({ gate: { kind: 'approval', prompt: 'Go?', options: [] } });
  });

  it.each([
    [
      'no timeout',
      (wf: WorkflowBuilder<Record<string, never>>) => wf.approval('go', {} as never),
      /timeoutMs/,
    ],
    [
      'one option',
      (wf: WorkflowBuilder<Record<string, never>>) =>
        wf.choice('next', { options: [options[0]!], timeoutMs: 1_000 }),
      /at least two/,
    ],
    [
      'a repeated option',
      (wf: WorkflowBuilder<Record<string, never>>) =>
        wf.choice('next', { options: [options[0]!, options[0]!], timeoutMs: 1_000 }),
      /option id 'failback' is listed twice/,
    ],
    [
      'a bad option id',
      (wf: WorkflowBuilder<Record<string, never>>) =>
        wf.choice('next', { options: [{ id: 'Fail Back', label: 'x' }, options[1]!], timeoutMs: 1_000 }),
      /options\[0\]\.id "Fail Back" is not allowed/,
    ],
    [
      'a default that is not an option',
      (wf: WorkflowBuilder<Record<string, never>>) =>
        wf.choice('next', { options, timeoutMs: 1_000, default: 'nuke' }),
      /default "nuke" is not one of its options \(failback, stay\)/,
    ],
    [
      'an empty label',
      (wf: WorkflowBuilder<Record<string, never>>) =>
        wf.choice('next', { options: [{ id: 'a', label: '' }, options[1]!], timeoutMs: 1_000 }),
      /label must be 1 to 75 characters/,
    ],
    [
      'a quorum of 0',
      (wf: WorkflowBuilder<Record<string, never>>) => wf.approval('go', { timeoutMs: 1_000, quorum: 0 }),
      /approval 'go': quorum 0 must be a whole number of approvers from 1 to 10/,
    ],
    [
      'a quorum on a choice',
      (wf: WorkflowBuilder<Record<string, never>>) =>
        wf.choice('next', { options, timeoutMs: 1_000, ...({ quorum: 2 } as object) }),
      /a choice is made by one person; quorum is for approvals/,
    ],
  ])('refuses %s, naming the gate', (_what, build, message) => {
    let err: unknown;
    try {
      define((wf) => {
        wf.task('a', async () => 1);
        build(wf);
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WorkflowDefinitionError);
    expect((err as Error).message).toMatch(message);
  });

  it('ctx.output refuses a string id, saying to pass the handle (workflow modules in plain JavaScript)', async () => {
    const { buildContext } = await import('../../../src/engine/runtime/task-context.js');
    const ctx = buildContext(
      { logger: { child: () => ({}) } } as never,
      { runId: 'r', def: { name: 'w' }, params: {}, requester: 'u', dryRun: false } as never,
      {
        taskId: 't',
        attempt: 1,
        signal: new AbortController().signal,
        outputs: { a: '1' },
        changed: new Map(),
        fence: { kind: 'task', taskId: 't', attempt: 1 },
      },
    );
    expect(() => ctx.output('a' as never)).toThrow(/takes the handle wf.task\(\) \(or a gate\) returned/);
    expect(ctx.output({ id: 'a' })).toBe(1);
  });
});
