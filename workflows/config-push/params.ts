import { z } from 'zod';
import { BundleName } from '../../src/bundles/manifest.js';
import { durationMsSchema, RolloutParams } from '../../src/authoring/index.js';

/**
 * What `/config push` asks for: the bundle and the hosts, plus the shared rollout params
 * (commands/parse/rollout-flags.ts): `{ bundle, selector, canary?, batches?, soakMs?, concurrency?,
 * maxFailPercent?, maxPer?, by? }`. Parsing is idempotent (parsed params parse to themselves), because
 * the engine stores params and parses them again on retries.
 */

const SIX_HOURS_MS = 6 * 3_600_000;

export const ConfigPushParams = z
  .object({
    /** A directory under `bundles/`. */
    bundle: BundleName,
    /** An inventory selector: a host, a group, `role=gateway,region=eu-west-1`, … */
    selector: z.string().trim().min(1, 'name the hosts to push to: a host, a group or a selector'),
  })
  .extend(RolloutParams.shape)
  .extend({
    // A config file is small and its effect immediate: a shorter soak ceiling and fewer hosts at once.
    soakMs: durationMsSchema({
      field: 'soakMs',
      max: { ms: SIX_HOURS_MS, message: 'must be at most 6h' },
    }).default(2 * 60_000),
    concurrency: z
      .number()
      .int('must be a whole number of hosts')
      .min(1, 'must be from 1 to 50 hosts at once')
      .max(50, 'must be from 1 to 50 hosts at once')
      .default(5),
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
