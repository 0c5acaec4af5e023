/**
 * The contract between a workflow (in `workflows/`) and the engine: what a workflow declares and what
 * its tasks are given while they run. Workflows import these *types* and the `defineWorkflow` builder;
 * everything that touches Redis, BullMQ, SSH or Slack lives behind the dependencies they are handed.
 */
import type { z } from 'zod';
import type { Host } from '../../hosts/host.js';
import type { Logger } from '../../log/index.js';
import type { MaxPer } from '../rollout/failure-domain.js';
import type { TriggerRule } from './trigger-rule.js';

/** A thing a rollout works on, by its inventory name. The engine never looks inside. */
export type TargetId = string;

/** JSON-serialisable values: everything that crosses Redis (outputs, evidence, ledger data). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** First delay; each further delay doubles (exponential backoff), with jitter. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface TaskContext<P> {
  readonly runId: string;
  readonly workflow: string;
  readonly taskId: string;
  readonly params: P;
  /** Slack user id (or CLI user) who asked for the run. */
  readonly requester: string;
  readonly dryRun: boolean;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly log: Logger;
  /** Aborted when the task's timeout passes or an operator aborts the run. Pass it to every I/O call. */
  readonly signal: AbortSignal;
  /**
   * What an upstream task returned (Airflow's XCom), typed by the handle `wf.task()` (or a gate)
   * returned: a choice gate's handle reads the chosen option's id, an approval's who approved.
   * Undefined when it returned nothing or did not run.
   */
  output<O>(task: TaskHandle<O>): Exclude<O, void> | undefined;
  /** Targets a rollout changed, in the order they were changed (for audit and notification). */
  changedTargets(rolloutId: string): readonly TargetId[];
  /**
   * Takes named locks for this run, all or none (e.g. `host:web-01`): refused with a LockConflict that
   * names the holder when another run has one. Released when the run finishes, whatever its end.
   */
  lock(names: string[], reason: string): Promise<void>;
  /**
   * Runs an effect the engine cannot fence itself (an audit record, a notification through an injected
   * dep) only while this attempt still owns its work: refused with `AttemptSuperseded` once its signal
   * was aborted for that reason or Redis says a newer attempt holds the task or target.
   */
  fenced<T>(effect: () => Promise<T>): Promise<T>;
}

export type TaskFn<P, O extends Json | void = Json | void> = (ctx: TaskContext<P>) => Promise<O>;

export interface TaskOptions {
  /** Upstream tasks or groups; a group stands for its last tasks. */
  after?: TaskRef | TaskRef[];
  trigger?: TriggerRule;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

/** What the builder hands back for a task or a group, to name it in `after`. */
export interface TaskRef {
  readonly id: string;
}

declare const outputType: unique symbol;

/**
 * A task (or gate) whose output later tasks read with `ctx.output(handle)`; it carries the output's
 * type, so a reader never names a string id or casts.
 */
export interface TaskHandle<O = Json | void> extends TaskRef {
  /** Type-level only: never set at run time. */
  readonly [outputType]?: O;
}

// ---------------------------------------------------------------------------------------------------
// Staged rollouts: canary, approval gate, batches.

/** Ansible's `serial`: absolute counts or percentages of all targets, the last repeated until done. */
export type BatchSize = number | `${number}%`;

export interface RolloutStrategy {
  /** How many targets go first, alone: a count or a percentage (at least one target). 0 = no canary. */
  canary: BatchSize;
  /** Sizes of the batches after the canary, like Ansible's `serial`, e.g. `[1, '10%', '50%', '100%']`. */
  batches: BatchSize[];
  /** Most targets worked on at once inside a batch. */
  concurrency: number;
  /** Wait between batches (and after the canary's approval), to let problems surface. */
  soakMs: number;
  /** Failure budget (Ansible's `max_fail_percentage`), per batch: more failed than this halts the rollout. */
  maxFailPercentPerBatch: number;
  /** Failure budget over the whole run. */
  maxFailPercentTotal: number;
  /**
   * Failure domain cap: never more than `n` targets sharing a value of inventory var `var` worked on at
   * once (the in-batch scheduler holds the rest back). Every target must have the var.
   */
  maxPer?: MaxPer;
  /** Batches walk one value of this inventory var at a time (zone by zone); a batch never mixes values. */
  by?: string;
}

export type HostStepOutcome = { changed: boolean; summary?: string; data?: Json } | void;

export interface HostStepContext<P> extends TaskContext<P> {
  readonly target: TargetId;
  /** The target as the inventory knows it (`EngineOptions.resolveTarget`): address, groups, vars. */
  readonly host: Host;
  /** Which stage this is: `canary` or `batch` with its index (1-based). */
  readonly stage: { kind: 'canary' | 'batch'; index: number };
  /**
   * Records `data` with the ledger's `started` entry of this target, before a side effect that must
   * not be repeated blindly (the phase before a reload, the boot id before a reboot). After a crash or a
   * takeover, `check` and `rollback` receive the last one recorded. `null` clears it: the step undid its
   * own work (a failed step that leaves a checkpoint is treated as possibly having changed the host, and
   * the rollout's rollback visits it). Fenced: refused with `AttemptSuperseded` once a newer attempt
   * holds the target.
   */
  checkpoint(data: Json): Promise<void>;
}

/**
 * One host's part of a rollout. The step contract (what the engine guarantees and what it asks):
 * - `apply` does the change. It may be cut short anywhere (worker killed, frozen past its lock, host
 *   gone) and then never finishes: the next attempt starts with `check`, never with a blind `apply`.
 *   Whatever `apply` did before its last `checkpoint` may have happened; what came after may or may not
 *   have. A failing `apply` undoes its own work and clears its checkpoint (`ctx.checkpoint(null)`), or
 *   leaves the checkpoint so that the rollout's rollback undoes it.
 * - Every host command and transfer takes `ctx.signal`; an attempt that is superseded has its signal
 *   aborted, and effects through injected deps (the audit) go through `ctx.fenced`. A superseded attempt
 *   records nothing: its result is dropped and its target reconciled by the next attempt.
 * - `check(ctx, checkpoint)` must be read-only and safe to run any number of times: it says whether the
 *   change is in place (`applied`: recorded as changed, not done again) or not (`not_applied`: `apply`
 *   runs again and must finish or redo what the checkpoint says was started). It runs under the step's
 *   timeout. Without `check`, a step in flight is applied again.
 * - `rollback(ctx, applied, checkpoint)` may repeat (a rollback retried after its host answers again, or
 *   redelivered): it puts the host back from `applied` (what `apply` returned) or, when `apply` never
 *   returned, from `checkpoint`. It throws when the host could not be put back; the target is then
 *   recorded `rollback_failed` with the error, reported so, and retried (bounded).
 * - `plan` (dry runs) changes nothing.
 */
export interface HostStep<P> {
  name: string;
  apply(ctx: HostStepContext<P>): Promise<HostStepOutcome>;
  check?(ctx: HostStepContext<P>, checkpoint: Json | undefined): Promise<'applied' | 'not_applied'>;
  plan?(ctx: HostStepContext<P>): Promise<string>;
  rollback?(ctx: HostStepContext<P>, applied: Json | undefined, checkpoint: Json | undefined): Promise<void>;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

export interface ApprovalGateSpec<P> {
  /** Fails closed: no decision within this time rejects. */
  timeoutMs: number;
  /**
   * This run's time to decide, when it is known only once the run is under way (read from a file an
   * upstream task loaded): at most `timeoutMs`, which stays the gate's bound.
   */
  timeoutFor?(ctx: TaskContext<P>): number | Promise<number>;
  /**
   * What approvers are shown (canary results, checks, a diff summary, log excerpts). Shaped as
   * `ApprovalEvidence` (src/engine/model/evidence.ts) to be rendered as readable sections.
   */
  evidence?(ctx: TaskContext<P>): Promise<Json>;
  /**
   * The identity of what the approval lets out, beyond the parameters and the targets (which the engine
   * adds itself): a bundle's name, version and sha256, a certificate's fingerprint, a release. Read when
   * the gate opens and again at each decision: when it changed, the decision is refused and approvers
   * are asked again with the new plan.
   */
  plan?(ctx: TaskContext<P>): Promise<Json>;
  /**
   * Distinct people (never the requester) who must approve before the gate passes; 1 by default. A
   * single rejection rejects.
   */
  quorum?: number;
}

/** What a decided approval gate hands downstream: who approved, when. */
export interface ApprovalOutput {
  [key: string]: Json;
  by: string;
  at: string;
}

/** A standalone approval gate anywhere in the DAG. The run's requester can never decide it. */
export interface ApprovalSpec<P> extends ApprovalGateSpec<P> {
  after?: TaskRef | TaskRef[];
  /** The question shown to approvers, e.g. 'Fail over to the DR region?'. Defaults to the gate's id. */
  prompt?: string;
}

/** One answer of a choice gate: `id` is what `ctx.output(choice)` reads, `label` what people click. */
export interface ChoiceOption {
  readonly id: string;
  readonly label: string;
}

/**
 * A gate with named options (e.g. 'Fail back now' / 'Stay on DR'): another person picks one, and later
 * tasks read its id through the handle. On timeout the `default` option is taken, or, without one, the
 * gate fails closed. Rejecting it fails it.
 */
export interface ChoiceSpec<P, O extends readonly ChoiceOption[]> {
  after?: TaskRef | TaskRef[];
  prompt?: string;
  options: O;
  timeoutMs: number;
  /** This run's time to decide (see ApprovalGateSpec.timeoutFor), at most `timeoutMs`. */
  timeoutFor?(ctx: TaskContext<P>): number | Promise<number>;
  default?: O[number]['id'];
  evidence?(ctx: TaskContext<P>): Promise<Json>;
}

export interface RolloutSpec<P> {
  after?: TaskRef | TaskRef[];
  targets(ctx: TaskContext<P>): Promise<TargetId[]> | TargetId[];
  strategy(ctx: TaskContext<P>): RolloutStrategy;
  /** Placed between the canary and the batches. Omit for no approval. */
  approval?: ApprovalGateSpec<P>;
  step: HostStep<P>;
}

export interface RollbackSpec {
  /** The rollout whose changed targets are restored, newest first, with the step's `rollback`. */
  of: TaskRef;
  /**
   * How many targets are restored at once (default 1: one after another). They are started newest first,
   * so with more than one the newest changes are still the first undone; a restore that waits out a reboot
   * then costs a fleet minutes, not hours.
   */
  concurrency?: number;
}

/** The builder a workflow's `tasks` function is given. */
export interface WorkflowBuilder<P> {
  task<O extends Json | void>(id: string, fn: TaskFn<P, O>, options?: TaskOptions): TaskHandle<O>;
  group(
    id: string,
    build: (group: WorkflowBuilder<P>) => void,
    options?: Pick<TaskOptions, 'after'>,
  ): TaskRef;
  /** Expands into the group `<id>`: `<id>.canary` → `<id>.approval` → `<id>.batches`. */
  rollout(id: string, spec: RolloutSpec<P>): TaskRef;
  /** A task with trigger `one_failed` on the rollout that restores exactly the changed targets. */
  rollback(id: string, spec: RollbackSpec & Pick<TaskOptions, 'after' | 'timeoutMs'>): TaskRef;
  /** An approval gate anywhere: downstream waits until another person approves (four-eyes). */
  approval(id: string, spec: ApprovalSpec<P>): TaskHandle<ApprovalOutput>;
  /** A choice gate: another person picks one option; `ctx.output(handle)` is its id. */
  choice<const O extends readonly ChoiceOption[]>(
    id: string,
    spec: ChoiceSpec<P, O>,
  ): TaskHandle<O[number]['id']>;
}

export interface WorkflowSpec<S extends z.ZodType> {
  /** The name operators type: `marshal run <name>`. */
  name: string;
  summary: string;
  params: S;
  /** Named locks the run takes before it starts (e.g. `host:web-01`, `region:eu-west-1`). */
  locks?(params: z.infer<S>): string[];
  /**
   * Checks the request against what exists (a named bundle, a scenario) before a run is created: throws
   * a MarshalError saying what is wrong, and no run, lock, record or alert comes of it.
   */
  admit?(params: z.infer<S>): Promise<void> | void;
  tasks(wf: WorkflowBuilder<z.infer<S>>): void;
}
