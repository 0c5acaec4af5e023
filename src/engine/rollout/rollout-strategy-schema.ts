import { z } from 'zod';
import { ValidationError } from '../../errors/validation-error.js';
import type { BatchSize, RolloutStrategy } from '../model/workflow.js';

const PERCENT = /^(\d+(?:\.\d+)?)%$/;

/** The number in `'N%'`, or undefined when the text is not a percentage. */
export function percentOf(size: string): number | undefined {
  const match = PERCENT.exec(size.trim());
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

const BATCH_RULE =
  "a batch size is a whole number of targets of at least 1, or a percentage 'N%' with 0 < N <= 100";
const CANARY_RULE =
  "the canary is a whole number of targets (0 for none), or a percentage 'N%' with 0 <= N <= 100";

function sizeSchema(min: 0 | 1, rule: string): z.ZodType<BatchSize> {
  return z.union([z.number(), z.string()], { error: rule }).transform((value, ctx): BatchSize => {
    if (typeof value === 'number') {
      if (Number.isInteger(value) && value >= min) return value;
      ctx.addIssue({ code: 'custom', message: `${value} is not allowed: ${rule}` });
      return z.NEVER;
    }
    const text = value.trim();
    const pct = percentOf(text);
    if (pct !== undefined && pct <= 100 && (min === 0 || pct > 0)) return `${pct}%`;
    if (/^\d+$/.test(text) && Number(text) >= min) return Number(text);
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not allowed: ${rule}` });
    return z.NEVER;
  });
}

/** One batch size, as in Ansible's `serial`. */
export const BatchSizeSchema = sizeSchema(1, BATCH_RULE);
export const CanarySizeSchema = sizeSchema(0, CANARY_RULE);

const percentLimit = (field: string) =>
  z
    .number({ error: `${field} must be a number from 0 to 100` })
    .min(0, `${field} must be from 0 to 100 (percent of targets that may fail)`)
    .max(100, `${field} must be from 0 to 100 (percent of targets that may fail)`);

/**
 * A rollout strategy from a person (a slash command, a config file): batches may be given as a list
 * (`[1, '10%']`) or as text (`'1,10%,50%'`), the soak time as milliseconds or as text (`'5m'`).
 */
export const RolloutStrategySchema = z.object({
  canary: CanarySizeSchema,
  // Text forms are parsed inside one transform (not a union) so that their own messages reach the user.
  batches: z
    .unknown()
    .transform((value, ctx) =>
      typeof value === 'string' ? parseInto(ctx, () => parseBatchList(value)) : value,
    )
    .pipe(
      z
        .array(BatchSizeSchema, {
          error: "batches must be a list of batch sizes, e.g. [1, '10%', '100%'] or '1,10%,100%'",
        })
        .min(1, "give at least one batch size, e.g. ['100%'] for all remaining targets at once"),
    ),
  concurrency: z
    .number({ error: 'concurrency must be a whole number of at least 1' })
    .int('concurrency must be a whole number of at least 1')
    .min(1, 'concurrency must be a whole number of at least 1 (targets worked on at once)'),
  soakMs: z
    .unknown()
    .transform((value, ctx) =>
      typeof value === 'string' ? parseInto(ctx, () => parseDuration(value, 'soak')) : value,
    )
    .pipe(
      z
        .number({
          error: "soakMs must be milliseconds (a number of 0 or more) or a duration such as '30s' or '5m'",
        })
        .int('soakMs must be whole milliseconds')
        .min(0, 'soakMs must be 0 or more'),
    ),
  maxFailPercentPerBatch: percentLimit('maxFailPercentPerBatch'),
  maxFailPercentTotal: percentLimit('maxFailPercentTotal'),
}) satisfies z.ZodType<RolloutStrategy, unknown>;

function parseInto<T>(ctx: z.RefinementCtx, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    for (const issue of err.issues) ctx.addIssue({ code: 'custom', message: issue.message });
    return z.NEVER;
  }
}

/** Parses and checks a strategy; a ValidationError names every bad field and what is allowed. */
export function parseRolloutStrategy(input: unknown): RolloutStrategy {
  const parsed = RolloutStrategySchema.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod('rollout strategy', parsed.error);
  return parsed.data;
}

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
const DURATION = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_RULE =
  "use whole numbers with units h, m, s, ms, largest first, e.g. '250ms', '30s', '5m', '1h30m'";

/** `'1h30m'` → 5_400_000. Units h, m, s, ms, each at most once, largest first; `'0'` is zero. */
export function parseDuration(text: string, field = 'duration'): number {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  if (trimmed === '0') return 0;
  const match = DURATION.exec(trimmed);
  if (trimmed === '' || match === null) {
    throw new ValidationError(field, [
      { path: '', message: `${JSON.stringify(text)} is not a duration; ${DURATION_RULE}` },
    ]);
  }
  const [, h, m, s, ms] = match;
  return (
    Number(h ?? 0) * UNIT_MS.h +
    Number(m ?? 0) * UNIT_MS.m +
    Number(s ?? 0) * UNIT_MS.s +
    Number(ms ?? 0) * UNIT_MS.ms
  );
}

/** `'1,10%,50%,100%'` → `[1, '10%', '50%', '100%']`; each entry checked, a bad one named by position. */
export function parseBatchList(text: string, field = 'batches'): BatchSize[] {
  const entries = typeof text === 'string' ? text.split(',').map((e) => e.trim()) : [];
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
