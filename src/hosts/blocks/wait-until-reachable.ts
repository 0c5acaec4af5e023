import type { HostExecutor } from '../executor.js';
import type { Host } from '../host.js';
import { isMarshalError } from '../../errors/marshal-error.js';
import { HostUnreachable } from '../errors/host-unreachable.js';
import { sh } from '../quote.js';
import { abortable } from './abortable-sleep.js';

export const BOOT_ID_COMMAND = sh`cat /proc/sys/kernel/random/boot_id`;

/**
 * After a reboot: polls until the host answers over SSH with a boot id other than `previousBootId`
 * (so the answer of a host that has not yet gone down, or of a session left from before, does not count).
 * Without `previousBootId`, any answer counts. Returns the boot id. Errors that retrying cannot fix (a
 * refused host key) are thrown at once; an aborted `signal` ends the wait with its reason. The waits
 * between attempts start at `firstIntervalMs` (default: `intervalMs`) and grow by half up to `intervalMs`.
 */
export async function waitUntilReachable(
  executor: HostExecutor,
  host: Host,
  options: {
    timeoutMs: number;
    previousBootId?: string;
    intervalMs?: number;
    firstIntervalMs?: number;
    signal?: AbortSignal;
  },
): Promise<string> {
  const deadline = Date.now() + options.timeoutMs;
  const longest = options.intervalMs ?? 250;
  let wait = Math.min(options.firstIntervalMs ?? longest, longest);
  let last = 'no answer yet';
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const r = await executor.exec(host, BOOT_ID_COMMAND, {
        timeoutMs: Math.max(1000, Math.min(10_000, deadline - Date.now())),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const bootId = r.stdout.trim();
      if (r.exitCode === 0 && bootId && bootId !== options.previousBootId) return bootId;
      last = r.exitCode === 0 ? 'still on the previous boot' : `boot id read failed: ${r.stderr.trim()}`;
    } catch (err) {
      options.signal?.throwIfAborted();
      if (isMarshalError(err) && !err.retryable) throw err;
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) {
      throw new HostUnreachable(host.name, `not back within ${options.timeoutMs} ms (${last})`, {
        context: { previousBootId: options.previousBootId },
      });
    }
    await abortable(Math.min(wait, Math.max(0, deadline - Date.now())), options.signal);
    wait = Math.min(longest, wait * 1.5);
  }
}
