/** Where a certificate stands against its renew-before window. */
export type ExpiryState = 'ok' | 'renew' | 'expired';

export interface ExpiryVerdict {
  state: ExpiryState;
  /** Whole days until notAfter, rounded down (negative once expired). */
  daysLeft: number;
  /** When the renew-before window opens (notAfter − renewBefore), ISO 8601. */
  renewFrom: string;
}

const DAY = 86_400_000;

/** `renew` from notAfter − renewBefore on (inclusive), `expired` from notAfter on (inclusive). */
export function expiryVerdict(notAfter: Date, renewBeforeMs: number, now: Date): ExpiryVerdict {
  const left = notAfter.getTime() - now.getTime();
  const renewFrom = new Date(notAfter.getTime() - renewBeforeMs);
  const state: ExpiryState = left <= 0 ? 'expired' : now >= renewFrom ? 'renew' : 'ok';
  return { state, daysLeft: Math.floor(left / DAY), renewFrom: renewFrom.toISOString() };
}
