import { z } from 'zod';
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

/**
 * The per-target ledger: one entry per (run, stage task, target). `started` before the step touches
 * the host, then `applied` | `failed` (or `planned` in a dry run, `skipped` when a halted rollout never
 * started it); `rolled_back` once its rollback put the host back, `rollback_failed` (with the error) while
 * it could not. It is what reconciliation, rollback and every report of the run trust.
 * Beside each entry: `#d` its detail, `#n` the fencing token of the attempt that holds it, `#c` the
 * step's checkpoint, `#r` whether its batch slot was released.
 */
export const LedgerState = z.enum([
  'started',
  'applied',
  'failed',
  'planned',
  'skipped',
  'rolled_back',
  'rollback_failed',
]);
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
  /** Why the last rollback of this target failed, and how often it was tried. */
  rollbackError: z.string().optional(),
  rollbackAttempts: z.number().int().optional(),
});
export type LedgerDetail = z.infer<typeof LedgerDetail> & { data?: unknown };

export interface LedgerEntry extends LedgerDetail {
  taskId: string;
  target: string;
  state: LedgerState;
  /** What the step recorded before its side effects (`ctx.checkpoint`), if anything is left. */
  checkpoint?: unknown;
}

/** Every ledger entry of a run, validated. */
export async function readLedger(redis: Redis, keys: Keys, runId: string): Promise<LedgerEntry[]> {
  const h = await redis.hgetall(keys.ledger(runId));
  const out: LedgerEntry[] = [];
  for (const [field, value] of Object.entries(h)) {
    if (field.includes('#')) continue;
    out.push(ledgerEntry(field, value, h[`${field}#d`], h[`${field}#c`]));
  }
  return out;
}

/** The named ledger entries (fields `<taskId>|<target>`) that exist, in the order given, in one HMGET. */
export async function readLedgerEntries(
  redis: Redis,
  keys: Keys,
  runId: string,
  fields: string[],
): Promise<LedgerEntry[]> {
  if (fields.length === 0) return [];
  const values = await redis.hmget(keys.ledger(runId), ...fields.flatMap((f) => [f, `${f}#d`, `${f}#c`]));
  const out: LedgerEntry[] = [];
  fields.forEach((field, i) => {
    const state = values[3 * i];
    if (state) out.push(ledgerEntry(field, state, values[3 * i + 1], values[3 * i + 2]));
  });
  return out;
}

function ledgerEntry(
  field: string,
  state: string,
  detail: string | null | undefined,
  checkpoint: string | null | undefined,
): LedgerEntry {
  const sep = field.indexOf('|');
  return {
    ...LedgerDetail.parse(JSON.parse(detail ?? '{}')),
    taskId: field.slice(0, sep),
    target: field.slice(sep + 1),
    state: LedgerState.parse(state),
    ...(checkpoint ? { checkpoint: JSON.parse(checkpoint) as unknown } : {}),
  };
}
