import { z } from 'zod';
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

/**
 * The per-target ledger: one entry per (run, stage task, target). `started` before the step touches
 * the host, then `applied` | `failed` (or `planned` in a dry run, `skipped` when a halted rollout never
 * started it); `rolled_back` once its rollback ran. It is what reconciliation and rollback trust.
 */
export const LedgerState = z.enum(['started', 'applied', 'failed', 'planned', 'skipped', 'rolled_back']);
export type LedgerState = z.infer<typeof LedgerState>;

export const LedgerDetail = z.object({
  stage: z.enum(['canary', 'batch']),
  batchIndex: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  durationMs: z.number().optional(),
  changed: z.boolean(),
  summary: z.string().optional(),
  error: z.string().optional(),
  data: z.unknown().optional(),
  reconciled: z.boolean().optional(),
  rolledBackAt: z.string().optional(),
});
export type LedgerDetail = z.infer<typeof LedgerDetail> & { data?: unknown };

export interface LedgerEntry extends LedgerDetail {
  taskId: string;
  target: string;
  state: LedgerState;
}

/** Every ledger entry of a run, validated. */
export async function readLedger(redis: Redis, keys: Keys, runId: string): Promise<LedgerEntry[]> {
  const h = await redis.hgetall(keys.ledger(runId));
  const out: LedgerEntry[] = [];
  for (const [field, value] of Object.entries(h)) {
    if (field.includes('#')) continue;
    const sep = field.indexOf('|');
    const detail = LedgerDetail.parse(JSON.parse(h[`${field}#d`] ?? '{}'));
    out.push({
      ...detail,
      taskId: field.slice(0, sep),
      target: field.slice(sep + 1),
      state: LedgerState.parse(value),
    });
  }
  return out;
}
