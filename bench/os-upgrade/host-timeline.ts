import type { SelfReboot } from '../../src/local/fleet/index.js';
import { median } from '../config-push/bare-ssh.js';

/**
 * When each host reached each phase of its upgrade (ms since the epoch), as both rows stamp them:
 * start, fetch (image fetched and verified), install (installed, next boot set), reboot (about to ask),
 * back (answered on a new boot), healthy (version and health checked), done (slot marked good).
 */
export type HostTimes = Map<string, Partial<Record<Phase, number>>>;

export const PHASES = ['start', 'fetch', 'install', 'reboot', 'back', 'healthy', 'done'] as const;
export type Phase = (typeof PHASES)[number];

/** The median of each span between consecutive phases, over the hosts that stamped both ends. */
export function phaseMedians(times: HostTimes): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 1; i < PHASES.length; i++) {
    const from = PHASES[i - 1]!;
    const to = PHASES[i]!;
    out[`${from} → ${to}`] = median(
      [...times.values()].flatMap((t) =>
        t[from] !== undefined && t[to] !== undefined ? [t[to] - t[from]] : [],
      ),
    );
  }
  out['whole host'] = median(
    [...times.values()].flatMap((t) =>
      t.start !== undefined && t.done !== undefined ? [t.done - t.start] : [],
    ),
  );
  return out;
}

/**
 * Where "reboot → back" went, host by host, joined with what the fleet saw of that host's reboot:
 *   asked      the orchestrator read the boot id (and checkpointed it) and sent the detached reboot
 *   noticed    the fleet saw the host's reboot request
 *   off        every process of the host was gone
 *   boot       its down time was over (the fleet's timer fired)
 *   up         the new sshd answered
 *   back       the orchestrator saw the new boot id
 */
export function rebootMedians(times: HostTimes, reboots: readonly SelfReboot[]): Record<string, number> {
  const spans: Record<string, number[]> = {
    'reboot → asked': [],
    'asked → noticed': [],
    'noticed → off': [],
    'off → boot': [],
    'boot → up': [],
    'up → back': [],
  };
  for (const [host, t] of times) {
    if (t.reboot === undefined || t.back === undefined) continue;
    const r = reboots.find((x) => x.host === host && x.upAt >= t.reboot! && x.upAt <= t.back! + 1000);
    if (!r) continue;
    spans['reboot → asked']!.push(r.requestedAt - t.reboot);
    spans['asked → noticed']!.push(r.downAt - r.requestedAt);
    spans['noticed → off']!.push(r.offAt - r.downAt);
    spans['off → boot']!.push(r.bootAt - r.offAt);
    spans['boot → up']!.push(r.upAt - r.bootAt);
    spans['up → back']!.push(t.back - r.upAt);
  }
  return Object.fromEntries(Object.entries(spans).map(([k, v]) => [k, median(v)]));
}

/** `a 12, b 340`: medians in whole ms, for a line of the bench's output. */
export function formatMedians(medians: Record<string, number>): string {
  return Object.entries(medians)
    .map(([k, v]) => `${k} ${Number.isNaN(v) ? '–' : v.toFixed(0)}`)
    .join(', ');
}
