import { z } from 'zod';
import { ValidationError } from '../../errors/validation-error.js';

/**
 * Durations as people write them: `'250ms'`, `'30s'`, `'5m'`, `'1h30m'`. This is the one reader of that
 * grammar; callers put their own words around a refusal.
 */

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
const DURATION = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_RULE =
  "use whole numbers with units h, m, s, ms, largest first, e.g. '250ms', '30s', '5m', '1h30m'";

/** `'1h30m'` → 5_400_000, or undefined when the text is not a duration. `'0'` is zero. */
export function readDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const match = DURATION.exec(trimmed);
  if (trimmed === '' || match === null) return undefined;
  const [, h, m, s, ms] = match;
  return (
    Number(h ?? 0) * UNIT_MS.h +
    Number(m ?? 0) * UNIT_MS.m +
    Number(s ?? 0) * UNIT_MS.s +
    Number(ms ?? 0) * UNIT_MS.ms
  );
}

/** `'1h30m'` → 5_400_000. Units h, m, s, ms, each at most once, largest first; `'0'` is zero. */
export function parseDuration(text: string, field = 'duration'): number {
  const ms = typeof text === 'string' ? readDuration(text) : undefined;
  if (ms === undefined) {
    throw new ValidationError(field, [
      { path: '', message: `${JSON.stringify(text)} is not a duration; ${DURATION_RULE}` },
    ]);
  }
  return ms;
}

export interface DurationRules {
  /** The field's name in messages, e.g. `soakMs`. */
  field: string;
  /** Said for text that is not a duration; by default the grammar, with the text quoted. */
  notADuration?: string;
  /** At most this many milliseconds, and what to say beyond. */
  max?: { ms: number; message: string };
}

/**
 * Milliseconds given as a number (`30000`) or as duration text (`'30s'`); the result is always the
 * number, so a parsed value parses to itself.
 */
export function durationMsSchema(rules: DurationRules): z.ZodType<number> {
  const { field } = rules;
  const ms = z
    .number({
      error: `${field} must be milliseconds (a number of 0 or more) or a duration such as '30s' or '5m'`,
    })
    .int(`${field} must be whole milliseconds`)
    .min(0, `${field} must be 0 or more`);
  // Text is read inside one transform (not a union) so that its own message reaches the user.
  return z
    .unknown()
    .transform((value, ctx) => {
      if (typeof value !== 'string') return value;
      const read = readDuration(value);
      if (read !== undefined) return read;
      ctx.addIssue({
        code: 'custom',
        message: rules.notADuration ?? `${JSON.stringify(value)} is not a duration; ${DURATION_RULE}`,
      });
      return z.NEVER;
    })
    .pipe(rules.max ? ms.max(rules.max.ms, rules.max.message) : ms);
}
