import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow } from '../../../src/engine/index.js';
import type { CompiledTask, RolloutSpec, TaskRef, WorkflowBuilder } from '../../../src/engine/index.js';
import { WorkflowDefinitionError } from '../../../src/engine/errors/workflow-definition-error.js';
import { ErrorCode } from '../../../src/errors/error-code.js';
import { thrownBy } from '../../support/refusal.js';

const params = z.object({ hosts: z.array(z.string()) });
type P = z.infer<typeof params>;
const noop = async (): Promise<void> => {};

function rolloutSpec(extra: Partial<RolloutSpec<P>> = {}): RolloutSpec<P> {
  return {
    targets: (ctx) => ctx.params.hosts,
    strategy: () => ({
      canary: 1,
      batches: ['50%'],
      concurrency: 2,
      soakMs: 0,
      maxFailPercentPerBatch: 0,
      maxFailPercentTotal: 10,
    }),
    step: { name: 'push config', apply: () => Promise.resolve({ changed: true }) },
    ...extra,
  };
}

function define(tasks: (wf: WorkflowBuilder<P>) => void) {
  return defineWorkflow({ name: 'config-push', summary: 'Push a config file', params, tasks });
}

function failure(fn: () => unknown): WorkflowDefinitionError {
  const e = thrownBy(WorkflowDefinitionError, fn);
  expect(e.code).toBe(ErrorCode.InvalidWorkflow);
  expect(e.retryable).toBe(false);
  return e;
}

function task(def: { tasks: ReadonlyMap<string, CompiledTask<P>> }, id: string): CompiledTask<P> {
  const t = def.tasks.get(id);
  if (!t) throw new Error(`no task ${id}; have ${[...def.tasks.keys()].join(', ')}`);
  return t;
}

describe('defineWorkflow: the runbook template', () => {
  const def = define((wf) => {
    const validate = wf.task('validate', noop);
    const pre = wf.group(
      'prechecks',
      (g) => {
        g.task('reachable', noop);
        const disk = g.task('disk', noop, { retry: { retries: 2, initialDelayMs: 100, maxDelayMs: 1000 } });
        g.task('lint', noop, { after: disk, timeoutMs: 5_000 });
      },
      { after: validate },
    );
    const execution = wf.rollout('execution', rolloutSpec({ after: pre, approval: { timeoutMs: 60_000 } }));
    const audit = wf.task('audit', noop, { after: execution });
    const notify = wf.task('notify', noop, { after: audit });
    wf.rollback('rollback', { of: execution });
    wf.task('cleanup', noop, { after: [notify, execution], trigger: 'all_done' });
  });

  it('keeps name, summary, params and gives an empty lock list by default', () => {
    expect(def.name).toBe('config-push');
    expect(def.summary).toBe('Push a config file');
    expect(def.params.parse({ hosts: ['a'] })).toEqual({ hosts: ['a'] });
    expect(def.locks({ hosts: [] })).toEqual([]);
  });

  it('prefixes group members and expands a rollout into canary → approval → batches', () => {
    expect([...def.tasks.keys()]).toEqual([
      'validate',
      'prechecks.reachable',
      'prechecks.disk',
      'prechecks.lint',
      'execution.canary',
      'execution.approval',
      'execution.batches',
      'audit',
      'notify',
      'rollback',
      'cleanup',
    ]);
    expect(def.rollouts.get('execution')).toEqual({
      canary: 'execution.canary',
      approval: 'execution.approval',
      batches: 'execution.batches',
    });
  });

  it('makes group members without `after` run after the group’s own `after`', () => {
    expect(task(def, 'prechecks.reachable').upstream).toEqual(['validate']);
    expect(task(def, 'prechecks.disk').upstream).toEqual(['validate']);
    expect(task(def, 'prechecks.lint').upstream).toEqual(['prechecks.disk']);
    expect(task(def, 'prechecks.lint').group).toBe('prechecks');
    expect(task(def, 'validate').group).toBeUndefined();
  });

  it('expands `after: group` to the group’s last tasks', () => {
    expect(task(def, 'execution.canary').upstream).toEqual(['prechecks.reachable', 'prechecks.lint']);
    expect(task(def, 'audit').upstream).toEqual(['execution.batches']);
    expect(task(def, 'cleanup').upstream).toEqual(['notify', 'execution.batches']);
  });

  it('compiles stages and the gate with their rollout', () => {
    const canary = task(def, 'execution.canary');
    const gate = task(def, 'execution.approval');
    const batches = task(def, 'execution.batches');
    expect(canary).toMatchObject({
      kind: 'stage',
      stage: 'canary',
      rolloutId: 'execution',
      group: 'execution',
    });
    expect(gate).toMatchObject({
      kind: 'gate',
      rolloutId: 'execution',
      upstream: ['execution.canary'],
      timeoutMs: 60_000,
    });
    expect(batches).toMatchObject({ kind: 'stage', stage: 'batches', upstream: ['execution.approval'] });
    if (canary.kind !== 'stage') throw new Error('not a stage');
    expect(canary.rollout.step.name).toBe('push config');
  });

  it('makes the rollback fire on a failure in any stage of its rollout', () => {
    expect(task(def, 'rollback')).toMatchObject({
      kind: 'rollback',
      of: 'execution',
      trigger: 'one_failed',
      upstream: ['execution.canary', 'execution.approval', 'execution.batches'],
    });
  });

  it('defaults to all_success and no retries, and keeps given options', () => {
    expect(task(def, 'validate')).toMatchObject({
      trigger: 'all_success',
      retry: { retries: 0 },
      timeoutMs: undefined,
    });
    expect(task(def, 'prechecks.disk').retry).toEqual({ retries: 2, initialDelayMs: 100, maxDelayMs: 1000 });
    expect(task(def, 'prechecks.lint').timeoutMs).toBe(5_000);
    expect(task(def, 'cleanup').trigger).toBe('all_done');
  });

  it('gives a topological order that starts with validation and ends with cleanup', () => {
    expect(def.order[0]).toBe('validate');
    expect(def.order.at(-1)).toBe('cleanup');
    for (const t of def.tasks.values()) {
      for (const up of t.upstream) expect(def.order.indexOf(up)).toBeLessThan(def.order.indexOf(t.id));
    }
  });
});

describe('defineWorkflow: shapes', () => {
  it('omits the gate when the rollout has no approval', () => {
    const def = define((wf) => void wf.rollout('exec', rolloutSpec()));
    expect([...def.tasks.keys()]).toEqual(['exec.canary', 'exec.batches']);
    expect(task(def, 'exec.batches').upstream).toEqual(['exec.canary']);
    expect(def.rollouts.get('exec')?.approval).toBeUndefined();
  });

  it('nests groups and rollouts inside groups', () => {
    const def = define((wf) => {
      const first = wf.task('first', noop);
      wf.group(
        'outer',
        (g) => {
          g.group('inner', (i) => void i.task('x', noop));
          g.rollout('push', rolloutSpec());
        },
        { after: first },
      );
    });
    expect(task(def, 'outer.inner.x')).toMatchObject({ upstream: ['first'], group: 'outer.inner' });
    expect(task(def, 'outer.push.canary')).toMatchObject({
      upstream: ['first'],
      rolloutId: 'outer.push',
      group: 'outer.push',
    });
  });

  it('leaves a rollback out of its group’s last tasks, so a skipped rollback does not skip what follows', () => {
    const def = define((wf) => {
      const g = wf.group('exec', (grp) => {
        const r = grp.rollout('push', rolloutSpec());
        grp.rollback('undo', { of: r });
      });
      wf.task('audit', noop, { after: g });
    });
    expect(task(def, 'audit').upstream).toEqual(['exec.push.batches']);
    expect(task(def, 'exec.undo').upstream).toEqual(['exec.push.canary', 'exec.push.batches']);
  });

  it('adds a rollback’s `after` to its upstream', () => {
    const def = define((wf) => {
      const r = wf.rollout('push', rolloutSpec());
      const verify = wf.task('verify', noop, { after: r });
      wf.rollback('undo', { of: r, after: verify, timeoutMs: 30_000 });
    });
    expect(task(def, 'undo')).toMatchObject({
      upstream: ['push.canary', 'push.batches', 'verify'],
      timeoutMs: 30_000,
    });
  });

  it('passes locks through', () => {
    const def = defineWorkflow({
      name: 'osupgrade',
      summary: 'Upgrade the OS',
      params,
      locks: (p) => p.hosts.map((h) => `host:${h}`),
      tasks: (wf) => void wf.task('a', noop),
    });
    expect(def.locks({ hosts: ['web-01'] })).toEqual(['host:web-01']);
  });
});

describe('defineWorkflow: refusals name the task', () => {
  it('refuses an empty workflow', () => {
    expect(failure(() => define(() => {})).message).toContain('no tasks');
  });

  it.each(['Bad', 'a.b', '-lead', 'a b', '', 'ünï'])('refuses the task id %j', (id) => {
    const err = failure(() => define((wf) => void wf.task(id, noop)));
    expect(err.message).toContain(JSON.stringify(id));
    expect(err.message).toContain('lower-case letters, digits and dashes');
  });

  it('says dots are reserved for groups', () => {
    expect(failure(() => define((wf) => void wf.task('a.b', noop))).message).toContain('dots are reserved');
  });

  it('refuses a duplicate task id', () => {
    const err = failure(() =>
      define((wf) => {
        wf.task('a', noop);
        wf.task('a', noop);
      }),
    );
    expect(err.message).toContain("'a' is already used by a task");
    expect(err.tasks).toEqual(['a']);
  });

  it('refuses a group id that clashes with a task', () => {
    const err = failure(() =>
      define((wf) => {
        wf.task('exec', noop);
        wf.rollout('exec', rolloutSpec());
      }),
    );
    expect(err.message).toContain("rollout id 'exec' is already used by a task");
  });

  it('refuses a ref from another workflow, even with a matching id', () => {
    let foreign: TaskRef | undefined;
    define((wf) => {
      foreign = wf.task('a', noop);
    });
    const err = failure(() =>
      define((wf) => {
        wf.task('a', noop);
        wf.task('b', noop, { after: foreign });
      }),
    );
    expect(err.message).toContain(
      "task 'b' runs after 'a', which is not a task, group or rollout of this workflow",
    );
    expect(err.tasks).toEqual(['b']);
  });

  it('refuses a hand-made ref', () => {
    const err = failure(() => define((wf) => void wf.task('b', noop, { after: { id: 'x' } })));
    expect(err.message).toContain("task 'b' runs after 'x'");
  });

  it('refuses a rollback whose `of` is not a rollout', () => {
    const err = failure(() =>
      define((wf) => {
        const t = wf.task('a', noop);
        wf.rollback('undo', { of: t });
      }),
    );
    expect(err.message).toContain(
      "rollback 'undo': 'of' must be a rollout of this workflow, but 'a' is not one",
    );
  });

  it('refuses a rollback of a group', () => {
    const err = failure(() =>
      define((wf) => {
        const g = wf.group('g', (x) => void x.task('a', noop));
        wf.rollback('undo', { of: g });
      }),
    );
    expect(err.message).toContain("'g' is not one");
  });

  it.each([
    [{ retry: { retries: -1, initialDelayMs: 0, maxDelayMs: 0 } }, 'retry.retries'],
    [
      { retry: { retries: 1.5, initialDelayMs: 0, maxDelayMs: 0 } },
      'retry.retries: retries must be a whole number',
    ],
    [
      { retry: { retries: 1, initialDelayMs: 500, maxDelayMs: 100 } },
      'maxDelayMs must be at least initialDelayMs',
    ],
    [{ timeoutMs: 0 }, 'timeoutMs 0'],
    [{ timeoutMs: -5 }, 'timeoutMs -5'],
    [{ timeoutMs: Number.POSITIVE_INFINITY }, 'timeoutMs Infinity'],
    [{ trigger: 'all_succes' }, 'is not a trigger rule; use one of all_success'],
  ])('refuses options %j', (options, message) => {
    const err = failure(() => define((wf) => void wf.task('deploy', noop, options as never)));
    expect(err.message).toContain("task 'deploy'");
    expect(err.message).toContain(message);
    expect(err.tasks).toEqual(['deploy']);
  });

  it('refuses a bad approval timeout and a bad step timeout, naming the rollout', () => {
    expect(
      failure(() => define((wf) => void wf.rollout('push', rolloutSpec({ approval: { timeoutMs: 0 } }))))
        .message,
    ).toContain("rollout 'push': approval.timeoutMs 0");
    const step = { name: 's', apply: async () => {}, timeoutMs: -1 };
    expect(failure(() => define((wf) => void wf.rollout('push', rolloutSpec({ step })))).message).toContain(
      "task 'push': step.timeoutMs -1",
    );
  });

  it('refuses a group with no tasks', () => {
    expect(failure(() => define((wf) => void wf.group('empty', () => {}))).message).toContain(
      "group 'empty' has no tasks",
    );
  });

  it('refuses a builder used after the workflow was built', () => {
    let kept: WorkflowBuilder<P> | undefined;
    define((wf) => {
      kept = wf;
      wf.task('a', noop);
    });
    expect(failure(() => kept!.task('late', noop)).message).toContain('after the workflow was built');
  });

  it('refuses a bad workflow name and an empty summary', () => {
    expect(
      failure(() => defineWorkflow({ name: 'has space', summary: 'x', params, tasks: () => {} })).message,
    ).toContain('workflow name');
    expect(
      failure(() => defineWorkflow({ name: 'ok', summary: ' ', params, tasks: () => {} })).message,
    ).toContain('summary');
  });
});
