import { z } from 'zod';
import type { BatchSize, RolloutStrategy } from '../model/workflow.js';
import { batchListSchema, sizeSchema, type SizeMinimum } from './batch-size.js';
import { durationMsSchema } from './duration.js';
import { DomainVarSchema, MaxPerSchema } from './failure-domain.js';

/**
 * The rollout parameters every staged workflow shares, with one syntax on the command line
 * (commands/parse/rollout-flags.ts: `--canary 1 --batches 10%,50%,100% --delay 2m --max-fail 5%
 * --concurrency 10 --max-per rack=1 --by az --dry-run`). A workflow's own params extend this schema
 * (`RolloutParams.extend({ selector: … })`) and hand it to `rolloutStrategy`.
 *
 * Parsing is idempotent (parsed params parse to themselves), because the engine stores params and
 * parses them again on retries: sizes stay `3` or `'10%'`, the soak stays milliseconds.
 *
 * The dry run is not a param: it is the run's (`RunRequest.dryRun`, `ctx.dryRun`), so there is one truth.
 */

const SIZE_RULE = "a whole number of hosts, or a percentage like '10%' (more than 0, at most 100)";

const size = (min: SizeMinimum): z.ZodType<BatchSize> =>
  sizeSchema({ min, rule: SIZE_RULE, refused: (value) => `${JSON.stringify(value)} is not ${SIZE_RULE}` });

export const DEFAULT_SOAK_MS = 2 * 60_000;
const DAY_MS = 24 * 3_600_000;

export const RolloutParams = z.object({
  /** Hosts that go first, alone, before the approval. 0 for none. */
  canary: size(0).default(1),
  /** Sizes of the batches after the canary, like Ansible's `serial`; the last repeats until done. */
  batches: batchListSchema({ size: size(1), empty: 'give at least one batch size' }).default(['25%', '100%']),
  /** Soak time between batches (`--delay`): milliseconds, or text such as '30s' or '5m'. */
  soakMs: durationMsSchema({ field: 'soakMs', max: { ms: DAY_MS, message: 'must be at most 24h' } }).default(
    DEFAULT_SOAK_MS,
  ),
  /** Hosts worked on at once inside a batch. */
  concurrency: z
    .number({ error: 'must be a whole number of hosts' })
    .int('must be a whole number of hosts')
    .min(1, 'must be from 1 to 500 hosts at once')
    .max(500, 'must be from 1 to 500 hosts at once')
    .default(5),
  /** Percent of hosts per batch (and in all) that may fail before the rollout halts (`--max-fail`). */
  maxFailPercent: z
    .number({ error: 'must be a percentage of hosts from 0 to 100' })
    .min(0, 'must be a percentage of hosts from 0 to 100')
    .max(100, 'must be a percentage of hosts from 0 to 100')
    .default(0),
  /** Failure domain cap (`--max-per rack=1`): never more than n hosts sharing a value of var at once. */
  maxPer: MaxPerSchema.optional(),
  /** Walk the batches one value of this inventory var at a time (`--by az`), zone by zone. */
  by: DomainVarSchema.optional(),
  /**
   * How long the approval gate waits (`--approval-timeout 45m`) before it fails closed; unset, the
   * workflow's own timeout. A workflow reads it in its gate's `timeoutMs: (params) => …`.
   */
  approvalTimeoutMs: durationMsSchema({
    field: 'approvalTimeoutMs',
    max: { ms: 7 * DAY_MS, message: 'must be at most 7 days' },
  })
    .refine((ms) => ms >= 60_000, 'must be at least 1 minute')
    .optional(),
});
export type RolloutParams = z.infer<typeof RolloutParams>;
export type RolloutParamsInput = z.input<typeof RolloutParams>;

/**
 * The strategy a rollout runs with, from the shared params. A dry run changes nothing, so it has
 * nothing to stage: every host is planned in one go (per `by` value), with no canary, no approval to
 * wait for (which would hold the run's locks against real runs) and no soak. Failure domains are kept,
 * so a dry run refuses a plan the real run would refuse.
 */
export function rolloutStrategy(params: RolloutParams, run: { dryRun: boolean }): RolloutStrategy {
  return {
    canary: run.dryRun ? 0 : params.canary,
    batches: run.dryRun ? ['100%'] : params.batches,
    concurrency: params.concurrency,
    soakMs: run.dryRun ? 0 : params.soakMs,
    maxFailPercentPerBatch: params.maxFailPercent,
    maxFailPercentTotal: params.maxFailPercent,
    ...(params.maxPer ? { maxPer: params.maxPer } : {}),
    ...(params.by ? { by: params.by } : {}),
  };
}
