import { z } from 'zod';
import { BundleName } from '../../src/bundles/manifest.js';
import type { BatchSize } from '../../src/engine/model/workflow.js';
import { batchListSchema, sizeSchema, type SizeMinimum } from '../../src/engine/rollout/batch-size.js';
import { durationMsSchema } from '../../src/engine/rollout/duration.js';

/**
 * What `/config push` asks for: the command sends `{ bundle, selector, canary?, batches?, soakMs?,
 * concurrency?, maxFailPercent? }` (commands/parse/rollout-flags.ts). Parsing is idempotent (parsed
 * params parse to themselves), because the engine stores params and parses them again on retries:
 * sizes stay `3` or `'10%'`, the soak stays milliseconds.
 */

const SIZE_RULE = "a whole number of hosts, or a percentage like '10%' (more than 0, at most 100)";

const size = (min: SizeMinimum): z.ZodType<BatchSize> =>
  sizeSchema({ min, rule: SIZE_RULE, refused: (value) => `${JSON.stringify(value)} is not ${SIZE_RULE}` });

const SIX_HOURS_MS = 6 * 3_600_000;

export const ConfigPushParams = z
  .object({
    /** A directory under `bundles/`. */
    bundle: BundleName,
    /** An inventory selector: a host, a group, `role=gateway,region=eu-west-1`, … */
    selector: z.string().trim().min(1, 'name the hosts to push to: a host, a group or a selector'),
    /** Hosts that get the file first, alone, before the approval. 0 for none (then no approval either). */
    canary: size(0).default(1),
    /** Sizes of the batches after the approval, like Ansible's `serial`; the last repeats until done. */
    batches: batchListSchema({ size: size(1), empty: 'give at least one batch size' }).default([
      '25%',
      '100%',
    ]),
    /** Soak time between batches, for problems to surface: milliseconds, or text such as '30s' or '5m'. */
    soakMs: durationMsSchema({
      field: 'soakMs',
      max: { ms: SIX_HOURS_MS, message: 'must be at most 6h' },
    }).default(2 * 60_000),
    /** Hosts worked on at once inside a batch. */
    concurrency: z
      .number()
      .int('must be a whole number of hosts')
      .min(1, 'must be from 1 to 50 hosts at once')
      .max(50, 'must be from 1 to 50 hosts at once')
      .default(5),
    /** Percent of hosts per batch (and in all) that may fail before the rollout halts; config is all-or-nothing by default. */
    maxFailPercent: z
      .number({ error: 'must be a percentage of hosts from 0 to 100' })
      .min(0, 'must be a percentage of hosts from 0 to 100')
      .max(100, 'must be a percentage of hosts from 0 to 100')
      .default(0),
  })
  .strict();
export type ConfigPushParams = z.infer<typeof ConfigPushParams>;

/** `<bundle>` as typed: a name, optionally `@version`; the store decides whether it exists. */
export const BundleWord = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/, 'is not a bundle name');

/** `<selector>` as typed (docs/inventory.md); the inventory parses it when the run starts. */
export const SelectorWord = z
  .string()
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\x00-\x1f`]{1,200}$/, 'is empty, too long or has control characters');
