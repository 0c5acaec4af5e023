import { z } from 'zod';
import type { BatchSize } from '../../src/engine/model/workflow.js';
import {
  batchListSchema,
  percentOf,
  sizeSchema,
  type SizeMinimum,
} from '../../src/engine/rollout/batch-size.js';
import { durationMsSchema } from '../../src/engine/rollout/duration.js';
import {
  DomainVarSchema,
  MaxPerSchema,
  type MaxPer as MaxPerValue,
} from '../../src/engine/rollout/failure-domain.js';
import { codeSpan } from './code-span.js';
import { CommandInputError } from './command-input-error.js';

/**
 * The values slash commands take, as zod schemas. Each comes with the sentence that says what is
 * allowed, so a refusal can name it.
 */
export interface ValueKind<T> {
  schema: z.ZodType<T>;
  allowed: string;
}

// Sizes and durations are read by the engine's one reader; the words around a refusal are the command's.
const batchSize = (min: SizeMinimum): z.ZodType<BatchSize> =>
  sizeSchema({
    min,
    rule: 'is neither a whole number nor a percentage',
    refused: (_value, why) =>
      why === 'shape'
        ? 'is neither a whole number nor a percentage'
        : min === 0
          ? 'is out of range'
          : 'must be at least 1 host or more than 0%',
  });

export const Canary: ValueKind<BatchSize> = {
  schema: batchSize(0),
  allowed: 'a host count (e.g. 1; 0 for no canary) or a percentage of the hosts (e.g. 5%)',
};

export const Batches: ValueKind<BatchSize[]> = {
  schema: batchListSchema({
    size: batchSize(1),
    empty: 'has no batches',
    max: { count: 20, message: 'has more than 20 batches' },
  }),
  allowed: 'comma-separated host counts or percentages, e.g. 1,10%,50%,100%',
};

export const Delay: ValueKind<number> = {
  schema: durationMsSchema({
    field: 'delay',
    notADuration: 'is not a duration with a unit',
    max: { ms: 24 * 3_600_000, message: 'is longer than 24h' },
  }),
  allowed: 'a duration such as 30s, 5m or 1h, or 1h30m (at most 24h)',
};

/** `--approval-timeout 45m`: how long the rollout's approval gate waits before it fails closed. */
export const ApprovalTimeout: ValueKind<number> = {
  schema: durationMsSchema({
    field: 'approval-timeout',
    notADuration: 'is not a duration with a unit',
    max: { ms: 7 * 24 * 3_600_000, message: 'is longer than 7 days' },
  }),
  allowed: 'a duration such as 10m, 2h or 1d (at least 1m, at most 7 days)',
};

export const Concurrency: ValueKind<number> = {
  schema: z
    .string()
    .regex(/^\d{1,4}$/, 'is not a whole number')
    .transform(Number)
    .refine((n) => n >= 1, 'must be at least 1'),
  allowed: 'a whole number of hosts worked on at once, e.g. 5',
};

export const MaxFail: ValueKind<number> = {
  schema: z.string().transform((text, ctx) => {
    const pct = percentOf(text);
    if (pct !== undefined && pct <= 100) return pct;
    ctx.addIssue({
      code: 'custom',
      message: pct === undefined ? 'is not a percentage' : 'is more than 100%',
    });
    return z.NEVER;
  }),
  allowed: 'the percentage of hosts that may fail before the rollout halts, from 0% to 100%, e.g. 10%',
};

export const MaxPer: ValueKind<MaxPerValue> = {
  schema: z
    .string()
    .regex(/^[^=\s]+=\d{1,4}$/, 'is not VAR=N')
    .transform((text, ctx) => {
      const read = MaxPerSchema.safeParse(text);
      if (read.success) return read.data;
      const issue = read.error.issues[0];
      const part = issue?.path[0] === 'n' ? 'N' : issue?.path[0] === 'var' ? 'VAR' : 'VAR=N';
      ctx.addIssue({ code: 'custom', message: `${part} ${issue?.message ?? 'is not valid'}` });
      return z.NEVER;
    }),
  allowed: 'VAR=N: at most N hosts sharing a value of inventory var VAR at once, e.g. rack=1',
};

export const DomainVar: ValueKind<string> = {
  schema: DomainVarSchema,
  allowed: 'the name of an inventory var whose values the batches walk one at a time, e.g. az or rack',
};

export const RunId: ValueKind<string> = {
  schema: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$/, 'is not a run id'),
  allowed: 'a run id as shown by `/ops runs` (letters, digits, . _ : -)',
};

export const Selector: ValueKind<string> = {
  // eslint-disable-next-line no-control-regex
  schema: z.string().regex(/^[^\x00-\x1f`]{1,200}$/, 'is empty, too long or has control characters'),
  allowed:
    'an inventory selector such as `role=web`, `web-0*` or `env=prod,role=db` (quote it if it has spaces)',
};

export const Bundle: ValueKind<string> = {
  schema: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/, 'is not a bundle name'),
  allowed:
    'a bundle name from the bundle store, e.g. nginx-base or nginx-base@v12 (letters, digits, . _ @ -)',
};

export const Scenario: ValueKind<string> = {
  schema: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'is not a scenario name'),
  allowed: 'a DR scenario name, e.g. db-failover (lower-case letters, digits, -)',
};

/** Checks one raw word against a kind; a refusal names `part`, quotes the bad value and says what is allowed. */
export function parseValue<T>(kind: ValueKind<T>, raw: string, part: string): T {
  const result = kind.schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` (item ${Number(issue.path[0]) + 1})` : '';
  throw new CommandInputError(
    part,
    `${codeSpan(raw, 60)} ${issue?.message ?? 'is not valid'}${where}`,
    kind.allowed,
  );
}
