import type { z } from 'zod';
import type { ApprovalGateSpec, RetryPolicy, RolloutSpec, TaskFn } from '../model/workflow.js';
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

/** The approval gate between a rollout's canary and its batches. `timeoutMs` is the gate's. */
export interface CompiledGate<P> extends CompiledTaskBase {
  readonly kind: 'gate';
  readonly rolloutId: string;
  readonly gate: ApprovalGateSpec<P>;
}

/** Restores the targets the rollout `of` changed, newest first, with its step's `rollback`. */
export interface CompiledRollback<P> extends CompiledTaskBase {
  readonly kind: 'rollback';
  /** The rollout's id. */
  readonly of: string;
  readonly rollout: RolloutSpec<P>;
}

export type CompiledTask<P> = CompiledFnTask<P> | CompiledStage<P> | CompiledGate<P> | CompiledRollback<P>;

/** A workflow as the engine runs it: validated once, when it is defined. */
export interface WorkflowDefinition<P> {
  readonly name: string;
  readonly summary: string;
  readonly params: z.ZodType<P>;
  locks(params: P): string[];
  /** Every task by id, in declaration order. */
  readonly tasks: ReadonlyMap<string, CompiledTask<P>>;
  /** A topological order of the task ids (declaration order among tasks ready together). */
  readonly order: readonly string[];
  /** The rollouts' ids, each with its stage and gate task ids. */
  readonly rollouts: ReadonlyMap<string, { canary: string; approval: string | undefined; batches: string }>;
}
