import type { z } from 'zod';
import type { ChoiceOption, Json, RetryPolicy, RolloutSpec, TaskContext, TaskFn } from '../model/workflow.js';
import type { TriggerRule } from '../model/trigger-rule.js';

/** What every compiled task has, whatever its kind. */
interface CompiledTaskBase {
  /** Full id: `group.child` inside groups, `<rollout>.canary` for rollout stages. */
  readonly id: string;
  /** Direct upstream task ids, with group references already expanded to the groups' last tasks. */
  readonly upstream: readonly string[];
  readonly trigger: TriggerRule;
  readonly retry: Readonly<RetryPolicy>;
  /** Undefined: no time limit of its own (a stage's host steps carry their own). */
  readonly timeoutMs: number | undefined;
  /** The id of the innermost group (or rollout) the task belongs to. */
  readonly group: string | undefined;
}

export interface CompiledFnTask<P> extends CompiledTaskBase {
  readonly kind: 'task';
  readonly fn: TaskFn<P>;
}

/** One stage of a rollout: the canary, or all the batches after it. */
export interface CompiledStage<P> extends CompiledTaskBase {
  readonly kind: 'stage';
  readonly stage: 'canary' | 'batches';
  readonly rolloutId: string;
  readonly rollout: RolloutSpec<P>;
}

/** What a gate asks: approve (or reject), or pick one of named options. */
export interface GateSpec<P> {
  readonly kind: 'approval' | 'choice';
  /** Fails closed (or takes `default`, for a choice) when nobody decides within this time. */
  readonly timeoutMs: number;
  readonly prompt: string | undefined;
  /** A choice gate's options, in the order people see them; empty for an approval. */
  readonly options: readonly ChoiceOption[];
  /** A choice gate's option taken on timeout; undefined fails the gate closed. */
  readonly default: string | undefined;
  /** Distinct approvers an approval needs (1 for a choice). */
  readonly quorum: number;
  evidence?(ctx: TaskContext<P>): Promise<Json>;
  /** The identity of what the gate lets out (ApprovalGateSpec.plan). */
  plan?(ctx: TaskContext<P>): Promise<Json>;
  /** This run's time to decide, at most `timeoutMs`. */
  timeoutFor?(ctx: TaskContext<P>): number | Promise<number>;
}

/**
 * A gate: the approval between a rollout's canary and its batches (`rolloutId` set), or an approval or
 * choice gate anywhere in the DAG. `timeoutMs` is the gate's.
 */
export interface CompiledGate<P> extends CompiledTaskBase {
  readonly kind: 'gate';
  readonly rolloutId: string | undefined;
  readonly gate: GateSpec<P>;
}

/** Restores the targets the rollout `of` changed, newest first, with its step's `rollback`. */
export interface CompiledRollback<P> extends CompiledTaskBase {
  readonly kind: 'rollback';
  /** The rollout's id. */
  readonly of: string;
  readonly rollout: RolloutSpec<P>;
  /** Targets restored at once, started newest first. */
  readonly concurrency: number;
}

export type CompiledTask<P> = CompiledFnTask<P> | CompiledStage<P> | CompiledGate<P> | CompiledRollback<P>;

/** A workflow as the engine runs it: validated once, when it is defined. */
export interface WorkflowDefinition<P> {
  readonly name: string;
  readonly summary: string;
  readonly params: z.ZodType<P>;
  locks(params: P): string[];
  /** Refuses a request before a run exists (see WorkflowSpec.admit); resolves when there is nothing to refuse. */
  admit(params: P): Promise<void>;
  /** Every task by id, in declaration order. */
  readonly tasks: ReadonlyMap<string, CompiledTask<P>>;
  /** A topological order of the task ids (declaration order among tasks ready together). */
  readonly order: readonly string[];
  /** The rollouts' ids, each with its stage and gate task ids. */
  readonly rollouts: ReadonlyMap<string, { canary: string; approval: string | undefined; batches: string }>;
}
