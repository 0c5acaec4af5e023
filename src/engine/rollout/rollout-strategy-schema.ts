import { z } from 'zod';
import { ValidationError } from '../../errors/validation-error.js';
import type { RolloutStrategy } from '../model/workflow.js';
import { BatchSizeSchema, CanarySizeSchema, parseBatchList } from './batch-size.js';
import { durationMsSchema } from './duration.js';

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
  // The text form is parsed inside one transform (not a union) so that its own messages reach the user.
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
  soakMs: durationMsSchema({ field: 'soakMs' }),
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
