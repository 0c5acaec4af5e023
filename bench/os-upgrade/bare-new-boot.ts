import { BOOT_ID_COMMAND } from '../../src/hosts/blocks/wait-until-reachable.js';
import type { BareLink } from './bare-link.js';

/** How often a rebooting host is looked at: the numbers the upgrade step gives waitUntilReachable. */
export interface PollSchedule {
  firstPollMs: number;
  pollIntervalMs: number;
}

/**
 * The bare script's wait for a host's new boot, on Marshal's schedule (waitUntilReachable): a look at
 * once, then waits from `firstPollMs`, each half as long again, up to `pollIntervalMs`. A look reads the
 * boot id over the link (a new connection once the host has dropped the old one); an answer with
 * `previousBootId` never counts. Each look gets Marshal's command timeout (1 to 10 s, within the deadline).
 */
export async function bareWaitForNewBoot(
  link: BareLink,
  previousBootId: string,
  schedule: PollSchedule,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let wait = Math.min(schedule.firstPollMs, schedule.pollIntervalMs);
  let last = 'no answer yet';
  for (;;) {
    try {
      const r = await link.exec(BOOT_ID_COMMAND.text, {
        timeoutMs: Math.max(1000, Math.min(10_000, deadline - Date.now())),
      });
      const bootId = r.stdout.trim();
      if (r.code === 0 && bootId && bootId !== previousBootId) return bootId;
      last = r.code === 0 ? 'still on the previous boot' : `boot id read failed (exit ${r.code})`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline)
      throw new Error(`bare: ${link.host.name} not back within ${timeoutMs} ms (${last})`);
    await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(0, deadline - Date.now()))));
    wait = Math.min(schedule.pollIntervalMs, wait * 1.5);
  }
}
