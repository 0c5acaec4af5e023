/**
 * The workflow module: everything Marshal needs to know about one workflow, in one default export.
 *
 * ```ts
 * // ops-workflows/mass-reboot.ts
 * import { defineWorkflowModule } from 'marshal/kit';
 * export default defineWorkflowModule({
 *   name: 'mass-reboot',
 *   summary: 'Reboot hosts a rack at a time, canary first',
 *   params: z.object({ selector: z.string() }).extend(RolloutParams.shape),
 *   syntax: { positionals: [{ name: 'selector', help: 'the hosts' }], rollout: true },
 *   access: { start: ['S0123ABCD'], approve: ['S0456EFGH'] },
 *   owners: ['S0123ABCD'],
 *   workflow: (deps) => ({
 *     locks: (p) => [`reboot:${p.selector}`],
 *     tasks(wf) { … validation, pre-checks, wf.rollout(…) … },
 *   }),
 * });
 * ```
 *
 * The kit adds the template's generic phases after the workflow's own tasks: an audit record (who
 * asked, who approved, each target's result, timestamps), an alert to the owners on failure, run
 * metrics and a cleanup hook, all run whatever happened before them (`all_done`). A workflow overrides
 * one only when it needs to (`audit`, `notify`, `cleanup` in what `workflow(deps)` returns). Locks are
 * released by the engine when the run ends.
 *
 * Built-in workflows (config push) are modules too, registered exactly like the ones Marshal loads from
 * the directories its config names.
 */
import type { z } from 'zod';
import type { Json, TaskContext, WorkflowBuilder } from '../engine/model/workflow.js';
import type { CommandSyntax } from './command-syntax.js';
import type { MarshalDeps } from './deps.js';
import type { RunOutcome } from './run-outcome.js';

/** Slack user (`U…`, `W…`) or user group (`S…`) ids, as in Marshal's config file. */
export type Principals = readonly string[];

/** Who may start a workflow and who may approve its gates, unless Marshal's config says otherwise. */
export interface DefaultAccess {
  readonly start?: Principals;
  readonly approve?: Principals;
}

/**
 * A slash command of the workflow's own, besides `/marshal run <workflow>`: `{ command: '/cert',
 * subcommand: 'renew' }` routes `/cert renew …` to it. Two workflows may share a command with different
 * subcommands; one that claims a command (and subcommand) another already has stops start-up.
 */
export interface SlashCommandClaim {
  readonly command: `/${string}`;
  readonly subcommand?: string;
  /** Shown in Slack's command list; default the workflow's summary. */
  readonly description?: string;
}

/** An alert about a failed run, as the kit's notify phase sends it through the Notifier. */
export interface FailureAlert {
  readonly to: readonly string[];
  readonly title: string;
  readonly text: string;
}

/** What the kit's phases are given besides the task context. */
export interface PhaseInput<P> {
  readonly ctx: TaskContext<P>;
  readonly outcome: RunOutcome;
}

/** The workflow's part of the template, built once from Marshal's standard deps. */
export interface WorkflowBody<P> {
  /** Named locks the run takes before it starts (e.g. `bundle:nginx`); released when it ends. */
  locks?(params: P): string[];
  /**
   * Refuses a request whose params name something that does not exist (a misspelled bundle) before a run
   * is created: throw a MarshalError that says what is wrong and what there is. Nothing is recorded.
   */
  admit?(params: P): Promise<void> | void;
  /**
   * The workflow's own tasks: validation, pre-checks, execution (a rollout with canary, approval and
   * batches), rollback. The kit's audit, notify and cleanup phases run after all of them.
   */
  tasks(wf: WorkflowBuilder<P>): void;
  /** The audit record's kind is `<auditKind>.finished` (or `.dry_run`); default the workflow's name. */
  auditKind?: string;
  /**
   * The audit record's workflow-specific part (e.g. the bundle's name and sha256): an object whose
   * fields are added to the kit's record. Return `undefined` to add nothing.
   */
  auditDetails?(input: PhaseInput<P>): Promise<Json | undefined> | Json | undefined;
  /**
   * On failure, who is alerted and what they read. Given the kit's alert (to the module's owners and the
   * requester; the failed tasks' errors, failed targets, targets not restored), returns it changed, or
   * `undefined` to send nothing.
   */
  notify?(
    input: PhaseInput<P>,
    alert: FailureAlert,
  ): Promise<FailureAlert | undefined> | FailureAlert | undefined;
  /**
   * Removes the run's temporary state (backups after a success, staged files always). Runs last,
   * whatever happened; its result is added to the run's metrics.
   */
  cleanup?(input: PhaseInput<P>): Promise<Json | void>;
}

export interface WorkflowModuleSpec<S extends z.ZodType> {
  /** The name operators type: `/marshal run <name>`, `marshal run <name>`. Lower-case words joined by -. */
  readonly name: string;
  /** One line: what it does. Shown in `/marshal help`, `marshal workflows` and the Slack manifest. */
  readonly summary: string;
  /** The params, as a zod schema; parsing parsed params must give them back (the engine re-parses). */
  readonly params: S;
  /** How its parameters are typed in Slack and the terminal. */
  readonly syntax: CommandSyntax;
  /** Default access; Marshal's config file (`access.workflows.<name>`) overrides it. Default: no one. */
  readonly access?: DefaultAccess;
  /** Who hears about a failed run (Slack user or group ids), besides the requester. */
  readonly owners?: Principals;
  /** A slash command of its own, besides the generic `/marshal run`. */
  readonly slashCommand?: SlashCommandClaim;
  /**
   * Whose records `deps.records` reads and writes: default the workflow's own name. A module that
   * reports on another workflow's records (the drill's `/drdrill history`, `/osupgrade status`) names
   * that workflow; without settings of its own (`workflowSettings.<name>`) it is given that workflow's.
   */
  readonly records?: string;
  /** A directory of files shipped with the module (templates, scripts), relative to the module file. */
  readonly assets?: string;
  /** The definition factory: given Marshal's standard deps, the workflow's tasks and phase overrides. */
  workflow(deps: MarshalDeps): WorkflowBody<z.infer<S>>;
}

/** Marks what `defineWorkflowModule` returned, so the loader can tell a module from anything else. */
export const WORKFLOW_MODULE = Symbol.for('marshal.workflow-module');

export type WorkflowModule<S extends z.ZodType = z.ZodType> = Readonly<WorkflowModuleSpec<S>> & {
  readonly [WORKFLOW_MODULE]: true;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyWorkflowModule = WorkflowModule<any>;

export function isWorkflowModule(value: unknown): value is AnyWorkflowModule {
  return typeof value === 'object' && value !== null && WORKFLOW_MODULE in value;
}

/**
 * Declares a workflow module; its file's default export. Marshal's loader checks it (the fields, the
 * params schema, the syntax against the schema, then the tasks: cycles, unknown upstreams, duplicate
 * ids, a host step without `check`) and refuses it naming the file, the task and the fix.
 */
export function defineWorkflowModule<S extends z.ZodType>(spec: WorkflowModuleSpec<S>): WorkflowModule<S> {
  return Object.freeze({ ...spec, [WORKFLOW_MODULE]: true as const });
}
