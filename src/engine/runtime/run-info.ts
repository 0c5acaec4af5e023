import type { Redis } from 'ioredis';
import type { AnyWorkflow, WorkflowRegistry } from '../registry.js';
import { UnknownRun } from '../errors/unknown-run.js';
import type { Keys } from './keys.js';

/** What never changes about a run once started, read once per process. */
export interface RunInfo {
  runId: string;
  def: AnyWorkflow;
  params: unknown;
  requester: string;
  dryRun: boolean;
  meta: Record<string, string>;
  createdAt: string;
  retryOf: string | undefined;
  /** When retrying: per rollout, the only targets to work on. */
  retryTargets: Record<string, string[]> | undefined;
  startedMs: number;
}

export class RunInfoCache {
  private readonly cache = new Map<string, RunInfo>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly registry: WorkflowRegistry,
  ) {}

  async get(runId: string): Promise<RunInfo> {
    const hit = this.cache.get(runId);
    if (hit) return hit;
    const h = await this.redis.hgetall(this.keys.run(runId));
    if (!h.workflow) throw new UnknownRun(runId);
    const def = this.registry.get(h.workflow);
    const info: RunInfo = {
      runId,
      def,
      // Stored already parsed by the schema; parsed again so transforms and defaults give the same types.
      params: def.params.parse(JSON.parse(h.params ?? 'null')),
      requester: h.requester ?? '',
      dryRun: h.dryRun === '1',
      meta: JSON.parse(h.meta ?? '{}') as Record<string, string>,
      createdAt: h.createdAt ?? '',
      retryOf: h.retryOf || undefined,
      retryTargets: h.retryTargets ? (JSON.parse(h.retryTargets) as Record<string, string[]>) : undefined,
      startedMs: Number(h.startedMs ?? Date.now()),
    };
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(runId, info);
    return info;
  }

  remember(info: RunInfo): void {
    this.cache.set(info.runId, info);
  }

  /** A run whose state is gone from Redis: jobs of it that still turn up must not work from a stale copy. */
  forget(runId: string): void {
    this.cache.delete(runId);
  }
}
