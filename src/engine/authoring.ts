/**
 * The engine's authoring entry: what a workflow is written with (the builder, the contract types, the
 * shared rollout params, gate types) and the pure planning logic. It loads no BullMQ, ioredis or any
 * other I/O library, so a workflow module (and its tests) can import it anywhere. The durable runtime
 * is the runtime entry, `./index.ts`.
 */
export { defineWorkflow } from './dag/compile-workflow.js';
export type {
  CompiledFnTask,
  CompiledGate,
  CompiledRollback,
  CompiledStage,
  CompiledTask,
  GateSpec,
  WorkflowDefinition,
} from './dag/workflow-definition.js';
export { evaluateTrigger, type TriggerVerdict } from './dag/trigger-rules.js';
export { validateDag, downstreamOf, type DagNode } from './dag/graph.js';
export { NO_RETRY, RetryPolicySchema, TimeoutMsSchema } from './retry/retry-policy-schema.js';
export { backoffDelay, shouldRetry } from './retry/backoff.js';

export type { Engine, DecisionResult, RollbackOutcome } from './engine.js';
export * from './model/events.js';
export * from './model/run.js';
export * from './model/evidence.js';
export * from './model/task-state.js';
export * from './model/trigger-rule.js';
export type * from './model/workflow.js';
export { bareTarget, type TargetResolver } from './model/target.js';

export { planRollout, type RolloutPlan } from './rollout/plan-rollout.js';
export { settleInParallel } from './rollout/settle-in-parallel.js';
export {
  BatchSizeSchema,
  CanarySizeSchema,
  batchListSchema,
  parseBatchList,
  percent,
  percentOf,
  readSize,
  sizeSchema,
  splitBatchList,
  type BatchListRules,
  type SizeMinimum,
  type SizeReading,
  type SizeRules,
} from './rollout/batch-size.js';
export { durationMsSchema, parseDuration, readDuration, type DurationRules } from './rollout/duration.js';
export { RolloutStrategySchema, parseRolloutStrategy } from './rollout/rollout-strategy-schema.js';
export {
  DEFAULT_SOAK_MS,
  RolloutParams,
  rolloutStrategy,
  type RolloutParamsInput,
} from './rollout/rollout-params.js';
export {
  DomainVarSchema,
  MaxPerSchema,
  domainValue,
  type DomainLookup,
  type MaxPer,
} from './rollout/failure-domain.js';
export { budgetVerdict, type BudgetInput, type BudgetVerdict } from './rollout/failure-budget.js';

// Errors a workflow may raise or catch; plain classes, no I/O.
export * from './errors/index.js';
