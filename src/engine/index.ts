/**
 * The engine's runtime entry: everything of the authoring entry, plus the durable runtime on BullMQ and
 * Redis (registry, createEngine, workers, events). Only the process wiring (src/app, src/cli, tests)
 * imports this; workflows import the authoring entry (`src/authoring`, `marshal/authoring`).
 */
export * from './authoring.js';

export { createRegistry, type WorkflowRegistry, type AnyWorkflow } from './registry.js';
export { createEngine, type EngineOptions, type EngineRuntime } from './runtime/create-engine.js';
export type { WorkerOptions, WorkerPool } from './runtime/workers.js';
export type { RedisConnection } from './runtime/redis-connection.js';
export { RedisRunEvents } from './events/redis-run-events.js';
