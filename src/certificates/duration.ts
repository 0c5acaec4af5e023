import { z } from 'zod';

const UNIT_MS = { d: 86_400_000, h: 3_600_000 } as const;
const PATTERN = /^([1-9][0-9]{0,4})([dh])$/;

/** `30d`, `720h` → milliseconds; undefined when the text is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const match = PATTERN.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** A window such as renew-before: whole days or hours, written `30d` or `720h`. */
export const Duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `must be a duration like "30d" or "720h", found "${text}"` });
    return z.NEVER;
  }
  return ms;
});
