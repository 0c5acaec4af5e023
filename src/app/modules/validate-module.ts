import { join } from 'node:path';
import { ROLLOUT_FLAGS } from '../../../commands/parse/rollout-flags.js';
import { Principal } from '../../config/marshal-config.js';
import { WorkflowDefinitionError } from '../../engine/errors/workflow-definition-error.js';
import type { LoadedWorkflow } from '../../kit/catalog.js';
import {
  flagParam,
  isCustomSyntax,
  isLiteral,
  positionalParam,
  type CommandSyntax,
  type LiteralSyntax,
  type PositionalSyntax,
} from '../../kit/command-syntax.js';
import type { MarshalDeps, WorkflowDirs } from '../../kit/deps.js';
import { compileWorkflowModule, KIT_PHASES } from '../../kit/template.js';
import { WorkflowModuleError, type ModuleProblem } from '../../kit/workflow-module-error.js';
import { WORKFLOW_MODULE, type AnyWorkflowModule } from '../../kit/workflow-module.js';
import { inertDeps } from './inert-deps.js';

const NAME = /^[a-z][a-z0-9-]*$/;
const FLAG = /^[a-z][a-z0-9-]*$/;
const COMMAND = /^\/[a-z0-9][a-z0-9_-]{0,31}$/;
const DEFINE = 'export default defineWorkflowModule({ name, summary, params, syntax, workflow })';

/**
 * Checks what a module file exported and builds its workflow once (with deps that refuse to be used),
 * so every mistake is found at start-up, naming the file, the task or field, and the fix: the shape,
 * the params schema, the syntax against the schema, then the tasks (cycles, unknown upstreams,
 * duplicate ids). A host step without `check` loads, with a warning.
 */
export function validateModule(
  exported: unknown,
  where: { file: string; dir: string; configDir: string; builtIn: boolean },
): LoadedWorkflow {
  const { file } = where;
  const fail = (p: Omit<ModuleProblem, 'file'>): never => {
    throw new WorkflowModuleError({ file, ...p });
  };
  if (typeof exported !== 'object' || exported === null) {
    return fail({ problem: 'has no default export that is a workflow module', fix: DEFINE });
  }
  const m = exported as Partial<AnyWorkflowModule>;
  if (typeof m.name !== 'string' || !NAME.test(m.name)) {
    fail({
      task: 'name',
      problem: `${JSON.stringify(m.name)} is not a workflow name`,
      fix: "name it with lower-case words joined by dashes, e.g. name: 'mass-reboot'",
    });
  }
  if (typeof m.summary !== 'string' || m.summary.trim() === '') {
    fail({ task: 'summary', problem: 'is missing', fix: 'give one line saying what the workflow does' });
  }
  if (!isZodSchema(m.params)) {
    fail({
      task: 'params',
      problem: 'is not a zod schema',
      fix: "declare the params with zod, e.g. params: z.object({ selector: z.string() }) (import { z } from 'zod')",
    });
  }
  if (typeof m.workflow !== 'function') {
    fail({
      task: 'workflow',
      problem: 'is not a function',
      fix: 'give workflow: (deps) => ({ tasks(wf) { … } }): the definition factory, given Marshal’s deps',
    });
  }
  checkSyntax(m.syntax, m.params as SchemaLike, fail);
  checkClaim(m, fail);
  checkPrincipals(m, fail);
  const module = (WORKFLOW_MODULE in m ? m : { ...m, [WORKFLOW_MODULE]: true }) as AnyWorkflowModule;
  const dirs: WorkflowDirs = {
    config: where.configDir,
    module: where.dir,
    assets: typeof module.assets === 'string' ? join(where.dir, module.assets) : undefined,
  };
  const definition = build(module, inertDeps(dirs), fail);
  const warnings: string[] = [];
  for (const task of definition.tasks.values()) {
    if (task.kind !== 'stage' || task.stage !== 'canary') continue;
    const step = task.rollout.step;
    if (typeof step.check !== 'function') {
      warnings.push(
        `workflow module ${file}: task '${task.rolloutId}': host step '${step.name}' changes hosts and has no check. ` +
          'Fix: add check(ctx) that tells whether the change is already in place, so a step in flight when ' +
          'a worker dies is reconciled instead of done again',
      );
    }
  }
  return { module, source: file, builtIn: where.builtIn, dir: where.dir, dirs, warnings };
}

type Fail = (p: Omit<ModuleProblem, 'file'>) => never;

interface SchemaLike {
  safeParse(value: unknown): unknown;
  shape?: Record<string, unknown>;
}

/** Any zod schema (v4, or v3 from the module's own node_modules): duck-typed, not `instanceof`. */
function isZodSchema(value: unknown): value is SchemaLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SchemaLike).safeParse === 'function' &&
    ('_zod' in value || '_def' in value)
  );
}

function checkSyntax(syntax: CommandSyntax | undefined, params: SchemaLike, fail: Fail): void {
  if (typeof syntax !== 'object' || syntax === null) {
    fail({
      task: 'syntax',
      problem: 'is missing',
      fix: "declare the words operators type, e.g. syntax: { positionals: [{ name: 'selector', help: 'the hosts' }], rollout: true }",
    });
  }
  if (isCustomSyntax(syntax)) {
    if (typeof syntax.usage !== 'string' || syntax.usage.trim() === '')
      fail({
        task: 'syntax.usage',
        problem: 'is missing',
        fix: 'give the usage line beside parse()',
      });
    return;
  }
  const positionals: readonly (PositionalSyntax | LiteralSyntax)[] = syntax.positionals;
  // Not Array.isArray: a type guard on a typed list would widen it to any[].
  if (!((positionals as unknown) instanceof Array)) {
    fail({
      task: 'syntax.positionals',
      problem: 'is not a list',
      fix: 'list the positional words ([] for none), or give usage and parse(words) instead',
    });
  }
  const keys = params.shape ? new Set(Object.keys(params.shape)) : undefined;
  const fills = (key: string, task: string): void => {
    if (keys && !keys.has(key)) {
      fail({
        task,
        problem: `fills params.${key}, which the params schema does not have (it has ${[...keys].join(', ') || 'no keys'})`,
        fix: `add ${key} to params, or set param: to one of its keys`,
      });
    }
  };
  positionals.forEach((p, i) => {
    if (isLiteral(p)) return;
    const task = `syntax.positionals[${i}]`;
    if (typeof p.name !== 'string' || !NAME.test(p.name))
      fail({ task, problem: 'has no name', fix: "name it, e.g. { name: 'selector', help: '…' }" });
    if (p.rest && i !== positionals.length - 1)
      fail({
        task,
        problem: 'takes the rest of the words but is not last',
        fix: 'make it the last positional',
      });
    fills(positionalParam(p), `${task} <${p.name}>`);
  });
  const reserved = new Set([...Object.keys(ROLLOUT_FLAGS), 'dry-run', 'help']);
  for (const [name, flag] of Object.entries(syntax.flags ?? {})) {
    const task = `syntax.flags.${name}`;
    if (!FLAG.test(name))
      fail({ task, problem: 'is not a flag name', fix: 'use lower-case words joined by dashes, without --' });
    if (reserved.has(name)) {
      fail({
        task,
        problem: `--${name} is one of Marshal's shared flags (${[...reserved].map((r) => `--${r}`).join(', ')})`,
        fix: syntax.rollout
          ? 'drop it: the shared rollout flags already fill the rollout params'
          : 'name it otherwise, or set rollout: true to take the shared rollout flags',
      });
    }
    fills(flagParam(name, flag), task);
  }
}

/** Default access and owners are Slack ids, as in Marshal's config file (a name would grant nothing). */
function checkPrincipals(m: Partial<AnyWorkflowModule>, fail: Fail): void {
  const lists: [string, unknown][] = [
    ['access.start', m.access?.start],
    ['access.approve', m.access?.approve],
    ['owners', m.owners],
  ];
  for (const [task, list] of lists) {
    if (list === undefined) continue;
    const items: unknown[] = Array.isArray(list) ? (list as unknown[]) : [list];
    const bad = items.find((p) => !Principal.safeParse(p).success);
    if (bad !== undefined || !Array.isArray(list)) {
      fail({
        task,
        problem: `${JSON.stringify(bad)} is not a Slack user or user group id`,
        fix: 'list Slack user ids (U…, W…) or user group ids (S…), e.g. [S0123ABCD]',
      });
    }
  }
}

function checkClaim(m: Partial<AnyWorkflowModule>, fail: Fail): void {
  const claim = m.slashCommand;
  if (claim === undefined) return;
  if (typeof claim.command !== 'string' || !COMMAND.test(claim.command)) {
    fail({
      task: 'slashCommand.command',
      problem: `${JSON.stringify(claim.command)} is not a slash command`,
      fix: "use / and lower-case letters, digits, - or _, e.g. command: '/reboot'",
    });
  }
  if (
    claim.subcommand !== undefined &&
    (typeof claim.subcommand !== 'string' || !NAME.test(claim.subcommand))
  )
    fail({
      task: 'slashCommand.subcommand',
      problem: 'is not a word',
      fix: "use one lower-case word, e.g. 'renew'",
    });
}

function build(
  module: AnyWorkflowModule,
  deps: MarshalDeps,
  fail: Fail,
): ReturnType<typeof compileWorkflowModule> {
  try {
    return compileWorkflowModule(module, deps);
  } catch (err) {
    if (err instanceof WorkflowDefinitionError) {
      const task = err.tasks[0];
      return fail({
        ...(task !== undefined ? { task: `task '${task}'` } : {}),
        problem: err.message,
        fix: fixFor(err),
      });
    }
    const message = err instanceof Error ? err.message : String(err);
    return fail({
      task: 'workflow(deps)',
      problem: `building the workflow threw: ${message}`,
      fix: 'build only the tasks in workflow() and tasks(); use deps inside the tasks, which run later',
    });
  }
}

function fixFor(err: WorkflowDefinitionError): string {
  const m = err.message;
  if (/cycle/.test(m))
    return 'remove the `after` that closes the loop: every task must run after tasks declared before it';
  if (KIT_PHASES.some((p) => err.tasks.includes(p)))
    return `rename your task: the kit adds ${KIT_PHASES.join(', ')} itself (override them with auditDetails, notify and cleanup)`;
  if (/twice|already used|unique/.test(m)) return 'give each task, group and rollout an id of its own';
  if (/does not exist|runs after|not a task/.test(m))
    return 'in `after`, pass only refs this workflow’s builder returned (wf.task, wf.group, wf.rollout)';
  return 'see docs/writing-workflows.md for how tasks are declared';
}
