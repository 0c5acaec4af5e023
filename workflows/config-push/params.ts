import { z } from 'zod';
import { BundleName } from '../../src/bundles/manifest.js';
import type { BatchSize } from '../../src/engine/model/workflow.js';

/**
 * What `/config push` asks for. Parsing is idempotent (parsed params parse to themselves), because the
 * engine stores params and parses them again on retries: sizes stay `3` or `'10%'`, durations stay text.
 */

const SIZE_RULE = "a whole number of hosts, or a percentage like '10%' (more than 0, at most 100)";

function size(min: 0 | 1): z.ZodType<BatchSize> {
  return z.union([z.number(), z.string()], { error: SIZE_RULE }).transform((value, ctx): BatchSize => {
    const text = String(value).trim();
    const pct = /^(\d+(?:\.\d+)?)%$/.exec(text);
    if (pct) {
      const n = Number(pct[1]);
      if (n <= 100 && (n > 0 || min === 0)) return `${n}%`;
    } else if (/^\d+$/.test(text) && Number(text) >= min) return Number(text);
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not ${SIZE_RULE}` });
    return z.NEVER;
  });
}

const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

const Duration = (max: string) =>
  z
    .string()
    .trim()
    .regex(DURATION, "must be a duration like '90s', '5m' or '1h'")
    .refine((text) => !DURATION.test(text) || durationMs(text) <= durationMs(max), `must be at most ${max}`);

export function durationMs(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

export const ConfigPushParams = z
  .object({
    /** A directory under `bundles/`. */
    bundle: BundleName,
    /** An inventory selector: a host, a group, `role=gateway,region=eu-west-1`, … */
    selector: z.string().trim().min(1, 'name the hosts to push to: a host, a group or a selector'),
    /** Hosts that get the file first, alone, before the approval. 0 for none (then no approval either). */
    canary: size(0).default(1),
    /** Sizes of the batches after the approval, like Ansible's `serial`; the last repeats until done. */
    batches: z
      .preprocess(
        (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()) : v),
        z.array(size(1)).min(1, 'give at least one batch size'),
      )
      .default(['25%', '100%']),
    /** Soak time between batches, for problems to surface. */
    delay: Duration('6h').default('2m'),
    /** Hosts worked on at once inside a batch. */
    concurrency: z
      .number()
      .int('must be a whole number of hosts')
      .min(1, 'must be from 1 to 50 hosts at once')
      .max(50, 'must be from 1 to 50 hosts at once')
      .default(5),
    /** Percent of hosts per batch (and in all) that may fail before the rollout halts; config is all-or-nothing by default. */
    maxFailPercent: z.number().min(0).max(100).default(0),
  })
  .strict();
export type ConfigPushParams = z.infer<typeof ConfigPushParams>;
