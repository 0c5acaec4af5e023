/** The engine's public surface: the workflow builder, its pure planning logic, and the contract types. */
export { defineWorkflow } from './dag/compile-workflow.js';
export type {
  CompiledFnTask,
  CompiledGate,
  CompiledRollback,
  CompiledStage,
  CompiledTask,
  WorkflowDefinition,
} from './dag/workflow-definition.js';
export { evaluateTrigger, type TriggerVerdict } from './dag/trigger-rules.js';
export { validateDag, downstreamOf, type DagNode } from './dag/graph.js';
export { NO_RETRY, RetryPolicySchema, TimeoutMsSchema } from './retry/retry-policy-schema.js';

export type { Engine, DecisionResult } from './engine.js';
export * from './model/events.js';
export * from './model/run.js';
export * from './model/task-state.js';
export * from './model/trigger-rule.js';
export type * from './model/workflow.js';
export { planRollout, type RolloutPlan } from './rollout/plan-rollout.js';
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
  type SizeReading,
  type SizeRules,
} from './rollout/batch-size.js';
export { durationMsSchema, parseDuration, readDuration, type DurationRules } from './rollout/duration.js';
export { RolloutStrategySchema, parseRolloutStrategy } from './rollout/rollout-strategy-schema.js';
export { budgetVerdict, type BudgetInput, type BudgetVerdict } from './rollout/failure-budget.js';
export { backoffDelay, shouldRetry } from './retry/backoff.js';

// The durable runtime (engine-runtime): registry, Engine on BullMQ + Redis, workers, events, errors.
export * from './errors/index.js';
export { createRegistry, type WorkflowRegistry, type AnyWorkflow } from './registry.js';
export { createEngine, type EngineOptions, type EngineRuntime } from './runtime/create-engine.js';
export type { WorkerOptions, WorkerPool } from './runtime/workers.js';
export type { RedisConnection } from './runtime/redis-connection.js';
export { RedisRunEvents } from './events/redis-run-events.js';
