import type { FreezeWindow } from '../config/marshal-config.js';

const WEEKDAY = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
} as const;

/** The wall clock in a time zone: weekday, date and HH:MM. */
export function wallClock(at: Date, timeZone: string): { day: string; date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  return {
    day: WEEKDAY[parts.weekday as keyof typeof WEEKDAY],
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}`,
  };
}

/** The first declared window that covers `at`, in the window's own time zone. Pure. */
export function activeWindow(windows: readonly FreezeWindow[], at: Date): FreezeWindow | undefined {
  return windows.find((w) => {
    const clock = wallClock(at, w.timeZone);
    const onDay = (w.days ?? []).includes(clock.day as never) || (w.dates ?? []).includes(clock.date);
    return onDay && clock.time >= w.from && clock.time < w.to;
  });
}

const QUARTER_HOUR = 15 * 60_000;
/** Windows are days long at most (a weekend, a list of dates); past this the end is not looked for. */
const LONGEST_MS = 8 * 24 * 3_600_000;

/**
 * When the window that covers `at` stops covering it (to the minute), following it across the days it
 * is declared on back to back (a weekend). Undefined when it does not cover `at`, or lasts longer than
 * eight days from now. Pure.
 */
export function windowEnd(window: FreezeWindow, at: Date): Date | undefined {
  const covers = (t: number): boolean => activeWindow([window], new Date(t)) !== undefined;
  const start = Math.floor(at.getTime() / 60_000) * 60_000;
  if (!covers(start)) return undefined;
  let t = start;
  while (covers(t + QUARTER_HOUR)) {
    t += QUARTER_HOUR;
    if (t - start > LONGEST_MS) return undefined;
  }
  while (covers(t + 60_000)) t += 60_000;
  return new Date(t + 60_000);
}
