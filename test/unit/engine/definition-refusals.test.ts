import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow } from '../../../src/engine/index.js';
import type { RolloutSpec, WorkflowBuilder } from '../../../src/engine/index.js';
import { WorkflowDefinitionError } from '../../../src/engine/errors/workflow-definition-error.js';
import { thrownBy } from '../../support/refusal.js';

// Every refusal of a workflow definition, with the exact sentence the author reads and the tasks it
// names (tooling reads `tasks`), and the defaults a definition compiles to. Complements
// compile-workflow.test.ts, which checks the shapes a good definition compiles to.

const params = z.object({ hosts: z.array(z.string()) });
type P = z.infer<typeof params>;
const noop = async (): Promise<void> => {};

const step = { name: 'push config', apply: () => Promise.resolve({ changed: true }) };
const rolloutSpec = (extra: Record<string, unknown> = {}): RolloutSpec<P> =>
  ({
    targets: (ctx: { params: P }) => ctx.params.hosts,
    strategy: () => ({ canary: 1, batches: ['50%'], concurrency: 2, soakMs: 0 }),
    step,
    ...extra,
  }) as never;

const define = (tasks: (wf: WorkflowBuilder<P>) => void) =>
  defineWorkflow({ name: 'wf', summary: 'a workflow', params, tasks });

const refused = (tasks: (wf: WorkflowBuilder<P>) => void) =>
  thrownBy(WorkflowDefinitionError, () => define(tasks));

describe('defineWorkflow: the workflow itself', () => {
  const base = {
    name: 'wf',
    summary: 'a workflow',
    params,
    tasks: (wf: WorkflowBuilder<P>) => void wf.task('a', noop),
  };

  it.each([
    [
      { name: 'has space' },
      'workflow name "has space" is not allowed; use letters, digits, dots, dashes and underscores',
      undefined,
    ],
    [
      { name: 42 },
      'workflow name 42 is not allowed; use letters, digits, dots, dashes and underscores',
      undefined,
    ],
    [{ summary: ' ' }, "workflow 'wf': summary must be a non-empty sentence operators can read", 'wf'],
    [{ summary: 3 }, "workflow 'wf': summary must be a non-empty sentence operators can read", 'wf'],
    [{ params: {} }, "workflow 'wf': params must be a zod schema", 'wf'],
    [{ params: undefined }, "workflow 'wf': params must be a zod schema", 'wf'],
    [{ locks: ['x'] }, "workflow 'wf': locks must be a function of the params", 'wf'],
    [{ admit: true }, "workflow 'wf': admit must be a function of the params", 'wf'],
    [{ tasks: [] }, "workflow 'wf': tasks must be a function that declares the tasks", 'wf'],
  ])('refuses %j', (change, message, workflow) => {
    const err = thrownBy(WorkflowDefinitionError, () => defineWorkflow({ ...base, ...change } as never));
    expect(err.message).toBe(message);
    expect(err.context).toMatchObject({ workflow });
  });

  it('refuses a missing spec naming the name', () => {
    expect(thrownBy(WorkflowDefinitionError, () => defineWorkflow(undefined as never)).message).toContain(
      'workflow name undefined',
    );
  });

  it('takes names with dots, dashes and underscores', () => {
    expect(defineWorkflow({ ...base, name: 'A.b_c-1' }).name).toBe('A.b_c-1');
  });

  it('runs the admit check and locks it was given; none by default', async () => {
    const seen: P[] = [];
    const wf = defineWorkflow({
      ...base,
      admit: (p: P) => {
        seen.push(p);
        if (p.hosts.length === 0) throw new Error('no hosts');
      },
      locks: (p: P) => p.hosts,
    });
    await wf.admit({ hosts: ['a'] });
    await expect(wf.admit({ hosts: [] })).rejects.toThrow('no hosts');
    expect(seen).toEqual([{ hosts: ['a'] }, { hosts: [] }]);
    expect(wf.locks({ hosts: ['h1'] })).toEqual(['h1']);
    const plain = defineWorkflow(base);
    await expect(plain.admit({ hosts: [] })).resolves.toBeUndefined();
    expect(plain.locks({ hosts: ['h1'] })).toEqual([]);
  });
});

describe('defineWorkflow: ids and functions', () => {
  it('refuses a bad id inside a group, naming the group and the full id', () => {
    const err = refused((wf) => void wf.group('g', (g) => void g.task('Bad', noop)));
    expect(err.message).toBe(
      `workflow 'wf': task id "Bad" in group 'g' is not allowed; use lower-case letters, digits and dashes, starting with a letter or digit`,
    );
    expect(err.tasks).toEqual(['g.Bad']);
  });

  it('says dots are reserved only for an id with a dot', () => {
    expect(refused((wf) => void wf.task('a.b', noop)).message).toContain(
      'task id "a.b" is not allowed (dots are reserved for group members); use',
    );
    expect(refused((wf) => void wf.task('A', noop)).message).toContain('task id "A" is not allowed; use');
  });

  it('refuses an id that is not a string, naming no task', () => {
    const err = refused((wf) => void wf.task(7 as never, noop));
    expect(err.message).toContain('task id 7 is not allowed; use');
    expect(err.tasks).toEqual([]);
  });

  it.each([
    ['rollout', (wf: WorkflowBuilder<P>) => void wf.rollout('Up', rolloutSpec())],
    ['group', (wf: WorkflowBuilder<P>) => void wf.group('Up', () => {})],
    ['approval', (wf: WorkflowBuilder<P>) => void wf.approval('Up', { timeoutMs: 1000 })],
    ['choice', (wf: WorkflowBuilder<P>) => void wf.choice('Up', { timeoutMs: 1000, options: [] })],
  ])('names what the bad id was for: %s', (what, tasks) => {
    expect(refused(tasks).message).toContain(`${what} id "Up" is not allowed`);
  });

  it('refuses a task function that is not a function', () => {
    const err = refused((wf) => void wf.task('a', 'run it' as never));
    expect(err.message).toBe("workflow 'wf': task 'a': the task function must be a function, not string");
    expect(err.tasks).toEqual(['a']);
  });

  it('refuses a group builder that is not a function', () => {
    expect(refused((wf) => void wf.group('g', null as never)).message).toContain(
      "task 'g': the group builder must be a function, not object",
    );
  });

  it('refuses a rollback concurrency that is not a whole number from 1 to 500', () => {
    for (const concurrency of [0, 1.5, 501, Number.NaN]) {
      const err = refused((wf) => {
        const r = wf.rollout('r', rolloutSpec());
        wf.rollback('undo', { of: r, concurrency });
      });
      expect(err.message).toContain("rollback 'undo': concurrency");
      expect(err.message).toContain('is not a whole number from 1 to 500');
      expect(err.tasks).toEqual(['undo']);
    }
  });

  it('names the kind that holds a clashing id', () => {
    const err = refused((wf) => {
      wf.group('g', (g) => void g.task('a', noop));
      wf.task('g', noop);
    });
    expect(err.message).toBe("workflow 'wf': task id 'g' is already used by a group; ids must be unique");
    expect(err.tasks).toEqual(['g']);
    expect(
      refused((wf) => {
        wf.rollout('r', rolloutSpec());
        wf.approval('r', { timeoutMs: 1000 });
      }).message,
    ).toContain("approval id 'r' is already used by a rollout");
    expect(
      refused((wf) => {
        const r = wf.rollout('r', rolloutSpec());
        wf.rollback('undo', { of: r });
        wf.choice('undo', {
          timeoutMs: 1000,
          options: [
            { id: 'a', label: 'A' },
            { id: 'b', label: 'B' },
          ],
        });
      }).message,
    ).toContain("choice id 'undo' is already used by a rollback");
  });

  it('refuses a late declaration naming it', () => {
    let kept: WorkflowBuilder<P> | undefined;
    define((wf) => {
      kept = wf;
      wf.task('a', noop);
    });
    const err = thrownBy(WorkflowDefinitionError, () => kept!.task('late', noop));
    expect(err.message).toBe(
      "workflow 'wf': task 'late' was declared after the workflow was built; declare it inside tasks()",
    );
    expect(err.tasks).toEqual(['late']);
  });
});

describe('defineWorkflow: after', () => {
  it.each([
    [{ id: 'a' }, "'a'"],
    [3, '3'],
    ['a', '"a"'],
    [null, 'null'],
    [undefined, 'undefined'],
    [{ id: 7 }, '{"id":7}'],
  ])('refuses %j as a ref, shown as %s', (ref, shown) => {
    const err = refused((wf) => {
      wf.task('a', noop);
      wf.task('b', noop, { after: [ref as never] });
    });
    expect(err.message).toBe(
      `workflow 'wf': task 'b' runs after ${shown}, which is not a task, group or rollout of this workflow; pass the refs this workflow’s builder returned`,
    );
    expect(err.tasks).toEqual(['b']);
  });

  it('refuses to run after a group whose only task is a rollback', () => {
    const err = refused((wf) => {
      const r = wf.rollout('push', rolloutSpec());
      const g = wf.group('undo', (inner) => void inner.rollback('rb', { of: r }));
      wf.task('after-undo', noop, { after: g });
    });
    expect(err.message).toBe("workflow 'wf': task 'after-undo' runs after group 'undo', which has no tasks");
    expect(err.tasks).toEqual(['after-undo', 'undo']);
  });

  it('expands a group to its last tasks only, not to tasks of a group whose name it prefixes', () => {
    const wf = define((b) => {
      const g = b.group('g', (g1) => {
        const x = g1.task('x', noop);
        g1.task('y', noop, { after: x });
      });
      b.group('gg', (g2) => void g2.task('z', noop));
      b.task('end', noop, { after: g });
    });
    expect(wf.tasks.get('end')?.upstream).toEqual(['g.y']);
  });

  it('lists an upstream once when named twice', () => {
    const wf = define((b) => {
      const a = b.task('a', noop);
      b.task('b', noop, { after: [a, a] });
    });
    expect(wf.tasks.get('b')?.upstream).toEqual(['a']);
  });
});

describe('defineWorkflow: task options', () => {
  it('lists the trigger rules in the refusal', () => {
    expect(refused((wf) => void wf.task('a', noop, { trigger: 'maybe' as never })).message).toBe(
      "workflow 'wf': task 'a': trigger \"maybe\" is not a trigger rule; use one of all_success, all_failed, all_done, one_success, one_failed, none_failed, none_failed_min_one_success, none_skipped, always",
    );
  });

  it('joins every retry issue', () => {
    const err = refused(
      (wf) => void wf.task('a', noop, { retry: { retries: -1, initialDelayMs: -1, maxDelayMs: 0 } }),
    );
    expect(err.message).toMatch(/^workflow 'wf': task 'a': retry\.retries: .+; retry\.initialDelayMs: .+/);
  });

  it('compiles a plain task to all_success, no retries, no timeout, no group', () => {
    const wf = define((b) => void b.task('a', noop));
    expect(wf.tasks.get('a')).toMatchObject({
      kind: 'task',
      id: 'a',
      upstream: [],
      trigger: 'all_success',
      retry: { retries: 0 },
      timeoutMs: undefined,
      group: undefined,
    });
  });
});

describe('defineWorkflow: rollouts', () => {
  it.each([
    [null, "rollout 'r': a rollout spec is required"],
    ['x', "rollout 'r': a rollout spec is required"],
    [{ ...rolloutSpec(), targets: 1 }, "task 'r': targets must be a function, not number"],
    [{ ...rolloutSpec(), strategy: {} }, "task 'r': strategy must be a function, not object"],
    [{ ...rolloutSpec(), step: undefined }, "rollout 'r': step is required"],
    [{ ...rolloutSpec(), step: null }, "rollout 'r': step is required"],
    [{ ...rolloutSpec(), step: 'apply' }, "rollout 'r': step is required"],
    [
      { ...rolloutSpec(), step: { ...step, name: '  ' } },
      "rollout 'r': step.name must be a non-empty string",
    ],
    [{ ...rolloutSpec(), step: { ...step, name: 5 } }, "rollout 'r': step.name must be a non-empty string"],
    [{ ...rolloutSpec(), step: { name: 's' } }, "task 'r': step.apply must be a function, not undefined"],
    [
      { ...rolloutSpec(), step: { ...step, check: 1 } },
      "task 'r': step.check must be a function, not number",
    ],
    [
      { ...rolloutSpec(), step: { ...step, plan: 'p' } },
      "task 'r': step.plan must be a function, not string",
    ],
    [
      { ...rolloutSpec(), step: { ...step, rollback: {} } },
      "task 'r': step.rollback must be a function, not object",
    ],
    [{ ...rolloutSpec(), approval: null }, "rollout 'r': a gate spec is required"],
    [
      { ...rolloutSpec(), approval: { timeoutMs: 1000, evidence: 1 } },
      "task 'r': approval.evidence must be a function, not number",
    ],
    [
      { ...rolloutSpec(), approval: { timeoutMs: 1000, plan: 1 } },
      "task 'r': approval.plan must be a function, not number",
    ],
    [
      { ...rolloutSpec(), approval: { timeoutMs: 1000, timeoutFor: 1 } },
      "task 'r': approval.timeoutFor must be a function, not number",
    ],
    [
      { ...rolloutSpec(), approval: { timeoutMs: 1000, quorum: 0 } },
      "rollout 'r': approval.quorum 0 must be a whole number of approvers from 1 to 10",
    ],
  ])('refuses the spec %#', (spec, message) => {
    const err = refused((wf) => void wf.rollout('r', spec as never));
    expect(err.message).toBe(`workflow 'wf': ${message}`);
    expect(err.tasks).toEqual(['r']);
  });

  it('takes a step with every hook', () => {
    const wf = define(
      (b) => void b.rollout('r', rolloutSpec({ step: { ...step, check: noop, plan: noop, rollback: noop } })),
    );
    expect(wf.order).toEqual(['r.canary', 'r.batches']);
  });

  it('compiles canary → approval → batches with their kinds and stages', () => {
    const wf = define((b) => void b.rollout('r', rolloutSpec({ approval: { timeoutMs: 5000 } })));
    expect(wf.tasks.get('r.canary')).toMatchObject({
      kind: 'stage',
      stage: 'canary',
      trigger: 'all_success',
    });
    expect(wf.tasks.get('r.approval')).toMatchObject({
      kind: 'gate',
      upstream: ['r.canary'],
      timeoutMs: 5000,
      gate: { kind: 'approval', quorum: 1 },
    });
    expect(wf.tasks.get('r.batches')).toMatchObject({
      kind: 'stage',
      stage: 'batches',
      upstream: ['r.approval'],
    });
    expect(wf.rollouts.get('r')).toEqual({
      canary: 'r.canary',
      approval: 'r.approval',
      batches: 'r.batches',
    });
    const plain = define((b) => void b.rollout('r', rolloutSpec()));
    expect(plain.rollouts.get('r')).toEqual({
      canary: 'r.canary',
      approval: undefined,
      batches: 'r.batches',
    });
    expect(plain.tasks.has('r.approval')).toBe(false);
  });

  it('compiles a rollback that fires on one failure', () => {
    const wf = define((b) => {
      const r = b.rollout('r', rolloutSpec());
      b.rollback('undo', { of: r });
    });
    expect(wf.tasks.get('undo')).toMatchObject({ kind: 'rollback', of: 'r', trigger: 'one_failed' });
  });

  it.each([
    [{ of: undefined }, 'undefined'],
    [{ of: null }, 'null'],
    [{ of: 'r' }, '"r"'],
    [undefined, 'undefined'],
  ])('refuses a rollback of %j', (spec, shown) => {
    const err = refused((wf) => {
      wf.rollout('r', rolloutSpec());
      wf.rollback('undo', spec as never);
    });
    expect(err.message).toBe(
      `workflow 'wf': rollback 'undo': 'of' must be a rollout of this workflow, but ${shown} is not one`,
    );
    expect(err.tasks).toEqual(['undo']);
  });
});

describe('defineWorkflow: gates', () => {
  const two = [
    { id: 'a', label: 'A' },
    { id: 'b', label: 'B' },
  ];

  it.each([0, 11, 1.5, '2', null])('refuses the quorum %j', (quorum) => {
    const err = refused((wf) => void wf.approval('go', { timeoutMs: 1000, quorum } as never));
    expect(err.message).toContain(
      `approval 'go': quorum ${JSON.stringify(quorum)} must be a whole number of approvers from 1 to 10`,
    );
    expect(err.tasks).toEqual(['go']);
  });

  it.each([1, 10])('takes the quorum %d', (quorum) => {
    expect(define((wf) => void wf.approval('go', { timeoutMs: 1000, quorum })).tasks.get('go')).toMatchObject(
      {
        gate: { quorum },
      },
    );
  });

  it('refuses a timeout that is not a duration, saying a gate must end', () => {
    const err = refused((wf) => void wf.approval('go', { timeoutMs: 'soon' } as never));
    expect(err.message).toMatch(
      /^workflow 'wf': approval 'go': timeoutMs "soon": .+ \(a gate must end: nobody deciding in time fails it closed\)$/,
    );
    expect(err.message).not.toContain('undefined (a gate');
    expect(err.tasks).toEqual(['go']);
  });

  it.each([' ', '', 5])('refuses the prompt %j', (prompt) => {
    const err = refused((wf) => void wf.approval('go', { timeoutMs: 1000, prompt } as never));
    expect(err.message).toBe(
      "workflow 'wf': approval 'go': prompt must be a non-empty sentence people can read",
    );
    expect(err.tasks).toEqual(['go']);
  });

  it('binds evidence, plan and timeoutFor to their spec', async () => {
    const spec = {
      timeoutMs: 1000,
      prompt: 'Ship?',
      data: 7,
      evidence(this: { data: number }) {
        return Promise.resolve({ n: this.data });
      },
      plan(this: { data: number }) {
        return Promise.resolve({ p: this.data });
      },
      timeoutFor(this: { data: number }) {
        return this.data;
      },
    };
    const task = define((wf) => void wf.approval('go', spec)).tasks.get('go');
    if (task?.kind !== 'gate') throw new Error('the approval did not compile to a gate');
    const gate = task.gate as unknown as {
      evidence: () => unknown;
      plan: () => unknown;
      timeoutFor: () => unknown;
      prompt: string;
    };
    expect(gate.prompt).toBe('Ship?');
    await expect(gate.evidence()).resolves.toEqual({ n: 7 });
    await expect(gate.plan()).resolves.toEqual({ p: 7 });
    expect(gate.timeoutFor()).toBe(7);
    const bare = define((wf) => void wf.approval('go', { timeoutMs: 1000 })).tasks.get('go');
    if (bare?.kind !== 'gate') throw new Error('the approval did not compile to a gate');
    expect(Object.keys(bare.gate).sort()).toEqual([
      'default',
      'kind',
      'options',
      'prompt',
      'quorum',
      'timeoutMs',
    ]);
  });

  it.each([
    [undefined, 'options must list at least two { id, label } answers'],
    [[{ id: 'a', label: 'A' }], 'options must list at least two { id, label } answers'],
    [
      [null, { id: 'b', label: 'B' }],
      'options[0].id undefined is not allowed; use lower-case letters, digits and dashes',
    ],
    [
      [
        { id: 'a', label: 'A' },
        { id: 'B', label: 'B' },
      ],
      'options[1].id "B" is not allowed; use lower-case letters, digits and dashes',
    ],
    [
      [
        { id: 'a', label: ' ' },
        { id: 'b', label: 'B' },
      ],
      "options[0].label must be 1 to 75 characters (it is a button's text)",
    ],
    [
      [{ id: 'a' }, { id: 'b', label: 'B' }],
      "options[0].label must be 1 to 75 characters (it is a button's text)",
    ],
    [
      [
        { id: 'a', label: 'x'.repeat(76) },
        { id: 'b', label: 'B' },
      ],
      "options[0].label must be 1 to 75 characters (it is a button's text)",
    ],
  ])('refuses the choice options %j', (options, message) => {
    const err = refused((wf) => void wf.choice('pick', { timeoutMs: 1000, options } as never));
    expect(err.message).toBe(`workflow 'wf': choice 'pick': ${message}`);
    expect(err.tasks).toEqual(['pick']);
  });

  it('takes a 75-character label', () => {
    const options = [{ id: 'a', label: 'x'.repeat(75) }, two[1]!];
    expect(define((wf) => void wf.choice('pick', { timeoutMs: 1000, options })).tasks.has('pick')).toBe(true);
  });

  it('refuses a repeated option, a default not among them and a quorum, naming the choice', () => {
    const dup = refused((wf) => void wf.choice('pick', { timeoutMs: 1000, options: [two[0]!, two[0]!] }));
    expect(dup.tasks).toEqual(['pick']);
    for (const fallback of ['c', 3]) {
      const err = refused(
        (wf) => void wf.choice('pick', { timeoutMs: 1000, options: two, default: fallback } as never),
      );
      expect(err.message).toBe(
        `workflow 'wf': choice 'pick': default ${JSON.stringify(fallback)} is not one of its options (a, b)`,
      );
      expect(err.tasks).toEqual(['pick']);
    }
    const quorum = refused(
      (wf) => void wf.choice('pick', { timeoutMs: 1000, options: two, quorum: 2 } as never),
    );
    expect(quorum.message).toBe(
      "workflow 'wf': choice 'pick': a choice is made by one person; quorum is for approvals",
    );
    expect(quorum.tasks).toEqual(['pick']);
    expect(
      refused((wf) => void wf.choice('pick', { timeoutMs: 1000, options: two, prompt: '' })).message,
    ).toContain("choice 'pick': prompt");
  });

  it('compiles a choice with its options and default, all_success', () => {
    const wf = define((b) => void b.choice('pick', { timeoutMs: 1000, options: two, default: 'b' }));
    expect(wf.tasks.get('pick')).toMatchObject({
      kind: 'gate',
      trigger: 'all_success',
      gate: { kind: 'choice', options: two, default: 'b' },
    });
  });
});
