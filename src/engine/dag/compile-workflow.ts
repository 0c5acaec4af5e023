import type { z } from 'zod';
import { formatPath } from '../../errors/validation-error.js';
import { WorkflowDefinitionError } from '../errors/workflow-definition-error.js';
import { TriggerRule } from '../model/trigger-rule.js';
import type {
  ApprovalGateSpec,
  ApprovalOutput,
  ChoiceOption,
  Json,
  RetryPolicy,
  RolloutSpec,
  TaskFn,
  TaskHandle,
  TaskOptions,
  TaskRef,
  WorkflowBuilder,
  WorkflowSpec,
} from '../model/workflow.js';
import { NO_RETRY, RetryPolicySchema, TimeoutMsSchema } from '../retry/retry-policy-schema.js';
import { validateDag } from './graph.js';
import type { CompiledTask, GateSpec, WorkflowDefinition } from './workflow-definition.js';

/** Task, group and rollout ids: lower-case words joined by dashes; dots are reserved for groups. */
const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const WORKFLOW_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** A rollback restores at most this many targets at once: beyond it, a slip rolls a fleet's worth in one go. */
const MAX_ROLLBACK_CONCURRENCY = 500;

type RefInfo = { kind: 'task'; id: string } | { kind: 'group'; id: string } | { kind: 'rollout'; id: string };

type Refs = TaskRef | TaskRef[] | undefined;

/** What the builder knows while it runs; shared by the nested builders of groups. */
class Compilation<P> {
  readonly tasks = new Map<string, CompiledTask<P>>();
  readonly rollouts = new Map<string, { canary: string; approval: string | undefined; batches: string }>();
  /** Every id handed out (tasks, groups, rollouts), with what it is, to refuse a clash early. */
  readonly used = new Map<string, string>();
  /** Refs this workflow handed out: a ref from anywhere else is refused, even if its id matches. */
  readonly refs = new WeakMap<TaskRef, RefInfo>();

  /** Set once the definition is built: a builder kept and called later must not change it. */
  sealed = false;

  constructor(readonly workflow: string) {}

  fail(message: string, tasks: string[]): never {
    throw new WorkflowDefinitionError(message, { workflow: this.workflow, tasks });
  }

  claim(id: string, what: string): void {
    if (this.sealed) {
      this.fail(`${what} '${id}' was declared after the workflow was built; declare it inside tasks()`, [id]);
    }
    const holder = this.used.get(id);
    if (holder !== undefined) {
      this.fail(`${what} id '${id}' is already used by a ${holder}; ids must be unique`, [id]);
    }
    this.used.set(id, what);
  }

  ref(info: RefInfo): TaskRef {
    const ref = Object.freeze({ id: info.id });
    this.refs.set(ref, info);
    return ref;
  }

  /** The task ids `after` stands for: a task itself, a group or rollout its last tasks. */
  expand(owner: string, after: Refs): string[] {
    const list = after === undefined ? [] : Array.isArray(after) ? after : [after];
    const ids: string[] = [];
    for (const ref of list) {
      const info = typeof ref === 'object' && ref !== null ? this.refs.get(ref) : undefined;
      if (info === undefined) {
        this.fail(
          `task '${owner}' runs after ${show(ref)}, which is not a task, group or rollout of this workflow; ` +
            'pass the refs this workflow’s builder returned',
          [owner],
        );
      }
      ids.push(...(info.kind === 'task' ? [info.id] : this.leavesOf(info.id, owner)));
    }
    return [...new Set(ids)];
  }

  /**
   * A group's last tasks: those with no downstream inside the group. Rollback tasks are left out: they
   * end `skipped` on a good run, which would skip whatever runs after the group.
   */
  private leavesOf(groupId: string, owner: string): string[] {
    const prefix = `${groupId}.`;
    const members = [...this.tasks.values()].filter((t) => t.id.startsWith(prefix) && t.kind !== 'rollback');
    if (members.length === 0) {
      this.fail(`task '${owner}' runs after group '${groupId}', which has no tasks`, [owner, groupId]);
    }
    const upstreamInside = new Set(members.flatMap((t) => t.upstream.filter((u) => u.startsWith(prefix))));
    return members.filter((t) => !upstreamInside.has(t.id)).map((t) => t.id);
  }
}

interface Scope {
  /** `group.` inside a group, empty at the top. */
  prefix: string;
  group: string | undefined;
  /** What a task in this scope runs after when it names no `after`. */
  defaultUpstream: string[];
}

function checkId<P>(c: Compilation<P>, scope: Scope, id: unknown, what: string): string {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    const dots = typeof id === 'string' && id.includes('.') ? ' (dots are reserved for group members)' : '';
    c.fail(
      `${what} id ${JSON.stringify(id)}${scope.group ? ` in group '${scope.group}'` : ''} is not allowed${dots}; ` +
        'use lower-case letters, digits and dashes, starting with a letter or digit',
      typeof id === 'string' ? [scope.prefix + id] : [],
    );
  }
  return scope.prefix + id;
}

/** Takes `typeof value`, so that methods are checked without being pulled off their objects. */
function checkFunction<P>(c: Compilation<P>, type: string, task: string, field: string): void {
  if (type !== 'function') c.fail(`task '${task}': ${field} must be a function, not ${type}`, [task]);
}

/** An unknown value, shown to an operator without `[object Object]`. */
function show(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'id' in value && typeof value.id === 'string') {
    return `'${value.id}'`;
  }
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value) ?? typeof value;
}

function checkOptions<P>(
  c: Compilation<P>,
  task: string,
  options: { trigger?: unknown; retry?: unknown; timeoutMs?: unknown },
  fieldPrefix = '',
): { trigger: TriggerRule | undefined; retry: RetryPolicy | undefined; timeoutMs: number | undefined } {
  let trigger: TriggerRule | undefined;
  if (options.trigger !== undefined) {
    const parsed = TriggerRule.safeParse(options.trigger);
    if (!parsed.success) {
      c.fail(
        `task '${task}': ${fieldPrefix}trigger ${JSON.stringify(options.trigger)} is not a trigger rule; ` +
          `use one of ${TriggerRule.options.join(', ')}`,
        [task],
      );
    }
    trigger = parsed.data;
  }
  let retry: RetryPolicy | undefined;
  if (options.retry !== undefined) {
    const parsed = RetryPolicySchema.safeParse(options.retry);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${fieldPrefix}retry.${formatPath(i.path)}: ${i.message}`);
      c.fail(`task '${task}': ${why.join('; ')}`, [task]);
    }
    retry = parsed.data;
  }
  let timeoutMs: number | undefined;
  if (options.timeoutMs !== undefined) {
    const parsed = TimeoutMsSchema.safeParse(options.timeoutMs);
    if (!parsed.success) {
      c.fail(
        `task '${task}': ${fieldPrefix}timeoutMs ${show(options.timeoutMs)}: ${parsed.error.issues[0]?.message}`,
        [task],
      );
    }
    timeoutMs = parsed.data;
  }
  return { trigger, retry, timeoutMs };
}

function checkRollout<P>(c: Compilation<P>, id: string, spec: RolloutSpec<P>): void {
  if (typeof spec !== 'object' || spec === null) c.fail(`rollout '${id}': a rollout spec is required`, [id]);
  checkFunction(c, typeof spec.targets, id, 'targets');
  checkFunction(c, typeof spec.strategy, id, 'strategy');
  const step = spec.step as RolloutSpec<P>['step'] | undefined;
  if (typeof step !== 'object' || step === null) c.fail(`rollout '${id}': step is required`, [id]);
  if (typeof step.name !== 'string' || step.name.trim() === '') {
    c.fail(`rollout '${id}': step.name must be a non-empty string`, [id]);
  }
  checkFunction(c, typeof step.apply, id, 'step.apply');
  for (const hook of ['check', 'plan', 'rollback'] as const) {
    if (step[hook] !== undefined) checkFunction(c, typeof step[hook], id, `step.${hook}`);
  }
  checkOptions(c, id, { retry: step.retry, timeoutMs: step.timeoutMs }, 'step.');
  if (spec.approval !== undefined) checkGateBasics(c, `rollout '${id}'`, id, spec.approval, 'approval.');
}

function checkGateBasics<P>(
  c: Compilation<P>,
  what: string,
  id: string,
  spec: ApprovalGateSpec<P> & { prompt?: unknown },
  fieldPrefix = '',
): void {
  if (typeof spec !== 'object' || spec === null) c.fail(`${what}: a gate spec is required`, [id]);
  const parsed = TimeoutMsSchema.safeParse(spec.timeoutMs);
  if (!parsed.success) {
    c.fail(
      `${what}: ${fieldPrefix}timeoutMs ${show(spec.timeoutMs)}: ${parsed.error.issues[0]?.message} ` +
        '(a gate must end: nobody deciding in time fails it closed)',
      [id],
    );
  }
  if (spec.evidence !== undefined) checkFunction(c, typeof spec.evidence, id, `${fieldPrefix}evidence`);
  if (spec.plan !== undefined) checkFunction(c, typeof spec.plan, id, `${fieldPrefix}plan`);
  if (spec.timeoutFor !== undefined) checkFunction(c, typeof spec.timeoutFor, id, `${fieldPrefix}timeoutFor`);
  if (spec.prompt !== undefined && (typeof spec.prompt !== 'string' || spec.prompt.trim() === '')) {
    c.fail(`${what}: prompt must be a non-empty sentence people can read`, [id]);
  }
  const quorum: unknown = spec.quorum;
  if (
    quorum !== undefined &&
    (typeof quorum !== 'number' || !Number.isInteger(quorum) || quorum < 1 || quorum > 10)
  ) {
    c.fail(`${what}: ${fieldPrefix}quorum ${show(quorum)} must be a whole number of approvers from 1 to 10`, [
      id,
    ]);
  }
}

/** Option ids are read by later tasks and sent back by buttons: the same shape as task ids. */
function checkChoiceOptions<P>(
  c: Compilation<P>,
  id: string,
  options: unknown,
  fallback: unknown,
): ChoiceOption[] {
  if (!Array.isArray(options) || options.length < 2) {
    c.fail(`choice '${id}': options must list at least two { id, label } answers`, [id]);
  }
  const seen = new Set<string>();
  const out: ChoiceOption[] = [];
  for (const [i, o] of (options as unknown[]).entries()) {
    const option = o as Partial<ChoiceOption> | null;
    if (typeof option?.id !== 'string' || !ID_PATTERN.test(option.id)) {
      c.fail(
        `choice '${id}': options[${i}].id ${show(option?.id)} is not allowed; use lower-case letters, digits and dashes`,
        [id],
      );
    }
    if (typeof option.label !== 'string' || option.label.trim() === '' || option.label.length > 75) {
      c.fail(`choice '${id}': options[${i}].label must be 1 to 75 characters (it is a button's text)`, [id]);
    }
    if (seen.has(option.id)) c.fail(`choice '${id}': option id '${option.id}' is listed twice`, [id]);
    seen.add(option.id);
    out.push(Object.freeze({ id: option.id, label: option.label }));
  }
  if (fallback !== undefined && (typeof fallback !== 'string' || !seen.has(fallback))) {
    c.fail(`choice '${id}': default ${show(fallback)} is not one of its options (${[...seen].join(', ')})`, [
      id,
    ]);
  }
  return out;
}

function builder<P>(c: Compilation<P>, scope: Scope): WorkflowBuilder<P> {
  const upstreamFor = (id: string, after: Refs): string[] =>
    after === undefined ? [...scope.defaultUpstream] : c.expand(id, after);

  return {
    task<O extends Json | void>(id: string, fn: TaskFn<P, O>, options: TaskOptions = {}): TaskHandle<O> {
      const full = checkId(c, scope, id, 'task');
      checkFunction(c, typeof fn, full, 'the task function');
      const checked = checkOptions(c, full, options);
      const upstream = upstreamFor(full, options.after);
      c.claim(full, 'task');
      c.tasks.set(full, {
        kind: 'task',
        id: full,
        fn,
        upstream,
        trigger: checked.trigger ?? 'all_success',
        retry: checked.retry ?? NO_RETRY,
        timeoutMs: checked.timeoutMs,
        group: scope.group,
      });
      return c.ref({ kind: 'task', id: full });
    },

    group(
      id: string,
      build: (group: WorkflowBuilder<P>) => void,
      options: Pick<TaskOptions, 'after'> = {},
    ): TaskRef {
      const full = checkId(c, scope, id, 'group');
      checkFunction(c, typeof build, full, 'the group builder');
      const defaultUpstream = upstreamFor(full, options.after);
      c.claim(full, 'group');
      build(builder(c, { prefix: `${full}.`, group: full, defaultUpstream }));
      if (![...c.tasks.keys()].some((t) => t.startsWith(`${full}.`))) {
        c.fail(`group '${full}' has no tasks`, [full]);
      }
      return c.ref({ kind: 'group', id: full });
    },

    rollout(id: string, spec: RolloutSpec<P>): TaskRef {
      const full = checkId(c, scope, id, 'rollout');
      checkRollout(c, full, spec);
      const canaryUpstream = upstreamFor(`${full}.canary`, spec.after);
      c.claim(full, 'rollout');
      const base = { trigger: 'all_success', retry: NO_RETRY, timeoutMs: undefined, group: full } as const;
      const canary = `${full}.canary`;
      const batches = `${full}.batches`;
      const approval = spec.approval === undefined ? undefined : `${full}.approval`;
      c.tasks.set(canary, {
        ...base,
        kind: 'stage',
        stage: 'canary',
        id: canary,
        rolloutId: full,
        rollout: spec,
        upstream: canaryUpstream,
      });
      if (approval !== undefined && spec.approval !== undefined) {
        c.tasks.set(approval, {
          ...base,
          kind: 'gate',
          id: approval,
          rolloutId: full,
          upstream: [canary],
          gate: gateOf(spec.approval, 'approval'),
          timeoutMs: spec.approval.timeoutMs,
        });
      }
      c.tasks.set(batches, {
        ...base,
        kind: 'stage',
        stage: 'batches',
        id: batches,
        rolloutId: full,
        rollout: spec,
        upstream: [approval ?? canary],
      });
      c.rollouts.set(full, { canary, approval, batches });
      return c.ref({ kind: 'rollout', id: full });
    },

    rollback(id, spec): TaskRef {
      const full = checkId(c, scope, id, 'rollback');
      const of = typeof spec?.of === 'object' && spec.of !== null ? c.refs.get(spec.of) : undefined;
      if (of?.kind !== 'rollout') {
        c.fail(
          `rollback '${full}': 'of' must be a rollout of this workflow, but ${show(spec?.of)} is not one`,
          [full],
        );
      }
      const rollout = c.rollouts.get(of.id);
      const stage = rollout === undefined ? undefined : c.tasks.get(rollout.canary);
      if (rollout === undefined || stage?.kind !== 'stage') {
        return c.fail(`rollback '${full}': rollout '${of.id}' is unknown`, [full]);
      }
      const checked = checkOptions(c, full, { timeoutMs: spec.timeoutMs });
      const concurrency = spec.concurrency ?? 1;
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_ROLLBACK_CONCURRENCY) {
        c.fail(
          `rollback '${full}': concurrency ${show(spec.concurrency)} is not a whole number from 1 to ${MAX_ROLLBACK_CONCURRENCY}`,
          [full],
        );
      }
      // All the rollout's tasks, so that a failure in any stage (or a rejected gate) fires the rollback.
      const stages = [rollout.canary, rollout.approval, rollout.batches].filter(
        (t): t is string => t !== undefined,
      );
      const upstream = [...new Set([...stages, ...c.expand(full, spec.after)])];
      c.claim(full, 'rollback');
      c.tasks.set(full, {
        kind: 'rollback',
        id: full,
        of: of.id,
        rollout: stage.rollout,
        concurrency,
        upstream,
        trigger: 'one_failed',
        retry: NO_RETRY,
        timeoutMs: checked.timeoutMs,
        group: scope.group,
      });
      return c.ref({ kind: 'task', id: full });
    },

    approval(id, spec): TaskHandle<ApprovalOutput> {
      const full = checkId(c, scope, id, 'approval');
      checkGateBasics(c, `approval '${full}'`, full, spec);
      addGate(full, spec.after, gateOf(spec, 'approval'));
      return c.ref({ kind: 'task', id: full });
    },

    choice(id, spec) {
      const full = checkId(c, scope, id, 'choice');
      checkGateBasics(c, `choice '${full}'`, full, spec);
      const options = checkChoiceOptions(c, full, spec.options, spec.default);
      if ((spec as { quorum?: unknown }).quorum !== undefined) {
        c.fail(`choice '${full}': a choice is made by one person; quorum is for approvals`, [full]);
      }
      addGate(full, spec.after, { ...gateOf(spec, 'choice'), options, default: spec.default });
      return c.ref({ kind: 'task', id: full });
    },
  };

  function addGate(full: string, after: Refs, gate: GateSpec<P>): void {
    const upstream = upstreamFor(full, after);
    c.claim(full, gate.kind);
    c.tasks.set(full, {
      kind: 'gate',
      id: full,
      rolloutId: undefined,
      gate,
      upstream,
      trigger: 'all_success',
      retry: NO_RETRY,
      timeoutMs: gate.timeoutMs,
      group: scope.group,
    });
  }
}

function gateOf<P>(spec: ApprovalGateSpec<P> & { prompt?: string }, kind: GateSpec<P>['kind']): GateSpec<P> {
  return {
    kind,
    timeoutMs: spec.timeoutMs,
    prompt: spec.prompt,
    options: [],
    default: undefined,
    quorum: spec.quorum ?? 1,
    ...(spec.evidence ? { evidence: spec.evidence.bind(spec) } : {}),
    ...(spec.plan ? { plan: spec.plan.bind(spec) } : {}),
    ...(spec.timeoutFor ? { timeoutFor: spec.timeoutFor.bind(spec) } : {}),
  };
}

/**
 * Builds and validates a workflow once, when it is defined: every mistake a definition can hold (a bad
 * id, a dependency on a missing task, a cycle, a bad option) is a WorkflowDefinitionError at start-up,
 * naming the task, never a surprise half-way through a rollout.
 */
export function defineWorkflow<S extends z.ZodType>(spec: WorkflowSpec<S>): WorkflowDefinition<z.infer<S>> {
  type P = z.infer<S>;
  const name: unknown = spec?.name;
  if (typeof name !== 'string' || !WORKFLOW_NAME_PATTERN.test(name)) {
    throw new WorkflowDefinitionError(
      `workflow name ${JSON.stringify(name)} is not allowed; use letters, digits, dots, dashes and underscores`,
    );
  }
  if (typeof spec.summary !== 'string' || spec.summary.trim() === '') {
    throw new WorkflowDefinitionError('summary must be a non-empty sentence operators can read', {
      workflow: name,
    });
  }
  if (typeof spec.params?.safeParse !== 'function') {
    throw new WorkflowDefinitionError('params must be a zod schema', { workflow: name });
  }
  if (spec.locks !== undefined && typeof spec.locks !== 'function') {
    throw new WorkflowDefinitionError('locks must be a function of the params', { workflow: name });
  }
  if (spec.admit !== undefined && typeof spec.admit !== 'function') {
    throw new WorkflowDefinitionError('admit must be a function of the params', { workflow: name });
  }
  if (typeof spec.tasks !== 'function') {
    throw new WorkflowDefinitionError('tasks must be a function that declares the tasks', { workflow: name });
  }

  const c = new Compilation<P>(name);
  spec.tasks(builder(c, { prefix: '', group: undefined, defaultUpstream: [] }));
  const tasks = [...c.tasks.values()];
  const { order } = validateDag(tasks, name);
  c.sealed = true;

  return Object.freeze({
    name,
    summary: spec.summary,
    params: spec.params as z.ZodType<P>,
    locks: (params: P): string[] => (spec.locks ? spec.locks(params) : []),
    admit: async (params: P): Promise<void> => {
      await spec.admit?.(params);
    },
    tasks: c.tasks,
    order,
    rollouts: c.rollouts,
  });
}
