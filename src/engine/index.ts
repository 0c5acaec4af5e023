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
export { WorkflowDefinitionError } from './errors/workflow-definition-error.js';
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
  RolloutStrategySchema,
  parseBatchList,
  parseDuration,
  parseRolloutStrategy,
} from './rollout/rollout-strategy-schema.js';
export { budgetVerdict, type BudgetInput, type BudgetVerdict } from './rollout/failure-budget.js';
export { backoffDelay, shouldRetry } from './retry/backoff.js';
