import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../log/index.js';
import type { RunEvent, RunEvents } from '../model/events.js';
import type { TargetResolver } from '../model/target.js';
import type { WorkflowRegistry } from '../registry.js';
import type { Keys } from './keys.js';
import type { RedisHealth } from './redis-health.js';
import type { Scripts } from './lua/index.js';
import type { RunInfoCache } from './run-info.js';

/** What every part of the runtime is handed: one process's connections and settings. */
export interface Runtime {
  readonly redis: Redis;
  readonly scripts: Scripts;
  readonly keys: Keys;
  /** Host steps (`target` jobs). */
  readonly queue: Queue;
  /** Everything else: task transitions, batch hand-outs, gate timeouts (jobs.ts `laneOf`). */
  readonly controlQueue: Queue;
  readonly registry: WorkflowRegistry;
  readonly logger: Logger;
  readonly events: RunEvents;
  readonly runs: RunInfoCache;
  readonly lockTtlMs: number;
  /** How long a finished run's state, events, ledger and outputs are kept (runtime/retention.ts). */
  readonly retentionMs: number;
  /** Replicas that must confirm a target's `started` record and checkpoints (replica-ack.ts); 0: none. */
  readonly replicaAcks: number;
  readonly replicaAckTimeoutMs: number;
  /** Reports Redis outages once, not once per client and command. */
  readonly health: RedisHealth;
  /** A target's inventory host (EngineOptions.resolveTarget). */
  readonly resolveTarget: TargetResolver;
  /** Approvals the access config asks of a workflow's gates (at least; a gate may ask for more). */
  readonly configuredQuorum: (workflow: string) => number;
  /** Publishes without waiting: commands on one connection keep their order, so events stay ordered. */
  emit(event: RunEvent): void;
}

export function nowIso(): string {
  return new Date().toISOString();
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
