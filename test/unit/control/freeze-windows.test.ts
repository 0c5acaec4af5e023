import { describe, expect, it } from 'vitest';
import { FreezeWindow } from '../../../src/config/marshal-config.js';
import { activeWindow, windowEnd } from '../../../src/control/freeze-windows.js';

const window = (w: Record<string, unknown>) => FreezeWindow.parse({ name: 'w', ...w });

describe('declared freeze windows', () => {
  it('a weekend window covers Saturday and Sunday in its time zone and ends Monday 00:00 there', () => {
    const weekend = window({ days: ['sat', 'sun'], timeZone: 'Europe/Berlin' });
    // Saturday 2026-11-28 10:00 UTC is 11:00 in Berlin.
    const at = new Date('2026-11-28T10:00:00Z');
    expect(activeWindow([weekend], at)).toBe(weekend);
    expect(windowEnd(weekend, at)?.toISOString()).toBe('2026-11-29T23:00:00.000Z');
    expect(activeWindow([weekend], new Date('2026-11-29T23:00:00Z'))).toBeUndefined();
  });

  it('a release-day window ends at its `to`, to the minute', () => {
    const release = window({ dates: ['2026-11-27'], from: '09:00', to: '17:30' });
    expect(windowEnd(release, new Date('2026-11-27T12:34:56Z'))?.toISOString()).toBe(
      '2026-11-27T17:30:00.000Z',
    );
    expect(windowEnd(release, new Date('2026-11-27T18:00:00Z'))).toBeUndefined();
  });
});
