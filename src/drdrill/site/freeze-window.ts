import type { DrillSettings } from './drill-settings.js';

export type FreezeWindow = DrillSettings['freezeWindows'][number];

/** The freeze window `at` falls in, if any. Pure. */
export function activeFreeze(windows: readonly FreezeWindow[], at: Date): FreezeWindow | undefined {
  const t = at.getTime();
  return windows.find((w) => Date.parse(w.from) <= t && t < Date.parse(w.until));
}
