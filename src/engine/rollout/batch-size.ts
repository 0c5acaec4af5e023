import { z } from 'zod';
import { ValidationError } from '../../errors/validation-error.js';
import type { BatchSize } from '../model/workflow.js';

/**
 * Batch sizes as people write them (Ansible's `serial`): a whole number of targets (`3`, `'3'`) or a
 * percentage of all targets (`'10%'`), and comma-separated lists of them (`'1,10%,50%,100%'`). This is
 * the one reader of that grammar; slash commands, workflow params and the engine's own strategy schema
 * each put their own words around its verdicts.
 */

const PERCENT = /^(\d+(?:\.\d+)?)%$/;
const COUNT = /^\d+$/;

/** The number in `'N%'`, or undefined when the text is not a percentage. */
export function percentOf(size: string): number | undefined {
  const match = PERCENT.exec(size.trim());
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** `12.5` → `'12.5%'`: the one spelling of a percentage (`'010%'` and `'10.0%'` both read back as `'10%'`). */
export function percent(n: number): `${number}%` {
  return `${n}%`;
}

/** The smallest size allowed: canaries may be 0 (none), batches must take at least one target. */
export type SizeMinimum = 0 | 1;

/**
 * One size read: the size, or why it was refused: `shape` (neither a whole number nor a percentage)
 * or `range` (a count below the minimum, a percentage above 100 or, for batches, 0%).
 */
export type SizeReading = { ok: true; size: BatchSize } | { ok: false; refused: 'shape' | 'range' };

export function readSize(value: number | string, min: SizeMinimum): SizeReading {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return { ok: false, refused: 'shape' };
    return value >= min ? { ok: true, size: value } : { ok: false, refused: 'range' };
  }
  const text = value.trim();
  const pct = percentOf(text);
  if (pct !== undefined) {
    return pct <= 100 && (min === 0 || pct > 0)
      ? { ok: true, size: percent(pct) }
      : { ok: false, refused: 'range' };
  }
  if (!COUNT.test(text)) return { ok: false, refused: 'shape' };
  const count = Number(text);
  return count >= min ? { ok: true, size: count } : { ok: false, refused: 'range' };
}

export interface SizeRules {
  min: SizeMinimum;
  /** Said when the value is neither a number nor text. */
  rule: string;
  /** Said when the value was read and refused. */
  refused: (value: number | string, why: 'shape' | 'range') => string;
}

/**
 * A size from numbers or text, normalised (`'3'` → 3, `'10.0%'` → `'10%'`), so that a parsed value
 * parses to itself: params stored by the engine are parsed again on retries.
 */
export function sizeSchema(rules: SizeRules): z.ZodType<BatchSize> {
  return z.union([z.number(), z.string()], { error: rules.rule }).transform((value, ctx): BatchSize => {
    const read = readSize(value, rules.min);
    if (read.ok) return read.size;
    ctx.addIssue({ code: 'custom', message: rules.refused(value, read.refused) });
    return z.NEVER;
  });
}

const BATCH_RULE =
  "a batch size is a whole number of targets of at least 1, or a percentage 'N%' with 0 < N <= 100";
const CANARY_RULE =
  "the canary is a whole number of targets (0 for none), or a percentage 'N%' with 0 <= N <= 100";

const refusedBy =
  (rule: string) =>
  (value: number | string): string =>
    `${typeof value === 'number' ? value : JSON.stringify(value)} is not allowed: ${rule}`;

/** One batch size, as in Ansible's `serial`. */
export const BatchSizeSchema = sizeSchema({ min: 1, rule: BATCH_RULE, refused: refusedBy(BATCH_RULE) });
export const CanarySizeSchema = sizeSchema({ min: 0, rule: CANARY_RULE, refused: refusedBy(CANARY_RULE) });

/** `'1, 10%,'` → `['1', '10%', '']`: the entries of a batch list, trimmed, empty ones kept to be named. */
export function splitBatchList(text: string): string[] {
  return text.split(',').map((entry) => entry.trim());
}

export interface BatchListRules {
  /** Checks each entry, with its own messages. */
  size: z.ZodType<BatchSize>;
  /** Said for an empty list. */
  empty: string;
  /** At most this many batches, and what to say beyond. */
  max?: { count: number; message: string };
}

/** A list of batch sizes given as a list (`[1, '10%']`) or as text (`'1,10%'`); a bad entry is named by its index. */
export function batchListSchema(rules: BatchListRules): z.ZodType<BatchSize[]> {
  const list = z.array(rules.size).min(1, rules.empty);
  return z.preprocess(
    (value) => (typeof value === 'string' ? splitBatchList(value) : value),
    rules.max ? list.max(rules.max.count, rules.max.message) : list,
  );
}

/** `'1,10%,50%,100%'` → `[1, '10%', '50%', '100%']`; each entry checked, a bad one named by position. */
export function parseBatchList(text: string, field = 'batches'): BatchSize[] {
  const entries = typeof text === 'string' ? splitBatchList(text) : [];
  if (entries.length === 0 || entries.every((e) => e === '')) {
    throw new ValidationError(field, [
      { path: '', message: `give a comma-separated list of batch sizes, e.g. '1,10%,50%,100%'` },
    ]);
  }
  const issues: { path: string; message: string }[] = [];
  const sizes: BatchSize[] = [];
  entries.forEach((entry, i) => {
    const parsed = BatchSizeSchema.safeParse(entry);
    if (parsed.success) sizes.push(parsed.data);
    else issues.push({ path: `${field}[${i}]`, message: parsed.error.issues[0]?.message ?? BATCH_RULE });
  });
  if (issues.length > 0) throw new ValidationError('batch list', issues);
  return sizes;
}
