import { z } from 'zod';
import type { Host } from '../../hosts/host.js';
import { domainValue, type DomainLookup } from '../rollout/failure-domain.js';
import { planRollout } from '../rollout/plan-rollout.js';
import type { RolloutSpec, TaskContext } from '../model/workflow.js';
import type { RunInfo } from './run-info.js';
import type { Runtime } from './runtime.js';

const StoredPlan = z.object({
  canary: z.array(z.string()),
  batches: z.array(z.array(z.string())),
  concurrency: z.number().int().min(1),
  soakMs: z.number().min(0),
  maxFailPercentPerBatch: z.number(),
  maxFailPercentTotal: z.number(),
  total: z.number().int(),
  /** The failure-domain cap the in-batch scheduler holds to, with each target's domain. */
  maxPer: z.object({ n: z.number().int().min(1), domains: z.record(z.string(), z.string()) }).optional(),
});
export type StoredPlan = z.infer<typeof StoredPlan>;

const cache = new Map<string, StoredPlan>();

/**
 * A rollout's targets and batches are computed once per run, by whichever worker gets there first,
 * and stored: every later stage and every worker works from the same plan.
 */
export async function ensurePlan(
  rt: Runtime,
  info: RunInfo,
  rolloutId: string,
  spec: RolloutSpec<unknown>,
  ctx: TaskContext<unknown>,
): Promise<StoredPlan> {
  const key = rt.keys.rollout(info.runId, rolloutId);
  const existing = await rt.redis.hget(key, 'plan');
  if (existing) return remember(info, rolloutId, existing);
  let targets = [...new Set(await spec.targets(ctx))];
  const only = info.retryTargets?.[rolloutId];
  if (only) targets = targets.filter((t) => only.includes(t));
  const strategy = spec.strategy(ctx);
  const { canary, batches, maxPer } = planRollout(targets, strategy, domainLookup(rt));
  const plan: StoredPlan = {
    canary,
    batches,
    ...(maxPer ? { maxPer } : {}),
    concurrency: Math.max(1, strategy.concurrency),
    soakMs: strategy.soakMs,
    maxFailPercentPerBatch: strategy.maxFailPercentPerBatch,
    maxFailPercentTotal: strategy.maxFailPercentTotal,
    total: targets.length,
  };
  const won = await rt.redis.hsetnx(key, 'plan', JSON.stringify(plan));
  if (won === 1) await rt.redis.hset(key, 'total', plan.total);
  return remember(info, rolloutId, (await rt.redis.hget(key, 'plan')) ?? JSON.stringify(plan));
}

/** Failure-domain vars read from each target's inventory host; a target the inventory lacks has none. */
function domainLookup(rt: Runtime): DomainLookup {
  const hosts = new Map<string, Host | undefined>();
  return (target, variable) => {
    if (!hosts.has(target)) {
      let host: Host | undefined;
      try {
        host = rt.resolveTarget(target);
      } catch {
        host = undefined;
      }
      hosts.set(target, host);
    }
    const host = hosts.get(target);
    return host === undefined ? undefined : domainValue(host, variable);
  };
}

export async function loadPlan(rt: Runtime, info: RunInfo, rolloutId: string): Promise<StoredPlan> {
  const hit = cache.get(`${info.runId}|${rolloutId}`);
  if (hit) return hit;
  const raw = await rt.redis.hget(rt.keys.rollout(info.runId, rolloutId), 'plan');
  if (!raw) throw new Error(`rollout ${rolloutId} of run ${info.runId} has no stored plan`);
  return remember(info, rolloutId, raw);
}

/** The batches one stage works through: the canary stage has at most one. */
export function stageBatches(plan: StoredPlan, stage: 'canary' | 'batches'): string[][] {
  if (stage === 'canary') return plan.canary.length > 0 ? [plan.canary] : [];
  return plan.batches;
}

function remember(info: RunInfo, rolloutId: string, raw: string): StoredPlan {
  const plan = StoredPlan.parse(JSON.parse(raw));
  if (cache.size > 500) cache.clear();
  cache.set(`${info.runId}|${rolloutId}`, plan);
  return plan;
}
