/**
 * Bolt 5.1 (`receivers/verify-request.js`) refuses a request whose `X-Slack-Request-Timestamp` is more
 * than five minutes old, but accepts any timestamp in the future. A future-dated signed request would
 * be replayable until its time came plus five minutes, so Marshal also refuses timestamps ahead of
 * the clock. Slack signs with its own clock: `MAX_FUTURE_SKEW_SECONDS` is a small allowance for
 * NTP-synchronised clocks that differ by a few seconds, far below the five-minute window it protects.
 */
export const MAX_AGE_SECONDS = 5 * 60;
export const MAX_FUTURE_SKEW_SECONDS = 60;

export type TimestampVerdict =
  { ok: true } | { ok: false; why: 'missing' | 'malformed' | 'stale' | 'future' };

export function checkRequestTimestamp(
  header: string | string[] | undefined,
  nowMs: number,
): TimestampVerdict {
  if (header === undefined) return { ok: false, why: 'missing' };
  if (Array.isArray(header) || !/^\d{1,12}$/.test(header)) return { ok: false, why: 'malformed' };
  const ts = Number(header);
  const now = Math.floor(nowMs / 1000);
  if (ts < now - MAX_AGE_SECONDS) return { ok: false, why: 'stale' };
  if (ts > now + MAX_FUTURE_SKEW_SECONDS) return { ok: false, why: 'future' };
  return { ok: true };
}
