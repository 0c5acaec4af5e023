import type { HostExecutor } from '../executor.js';
import type { Host } from '../host.js';
import { isMarshalError } from '../../errors/marshal-error.js';
import { HostUnreachable } from '../errors/host-unreachable.js';
import { sh } from '../quote.js';

const BOOT_ID = sh`cat /proc/sys/kernel/random/boot_id`;

/**
 * After a reboot: polls until the host answers over SSH with a boot id other than `previousBootId`
 * (so the answer of a host that has not yet gone down does not count). Returns the new boot id.
 * Errors that retrying cannot fix (a refused host key) are thrown at once.
 */
export async function waitUntilReachable(
  executor: HostExecutor,
  host: Host,
  options: { timeoutMs: number; previousBootId?: string; intervalMs?: number },
): Promise<string> {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const r = await executor.exec(host, BOOT_ID, {
        timeoutMs: Math.max(1000, Math.min(10_000, deadline - Date.now())),
      });
      const bootId = r.stdout.trim();
      if (r.exitCode === 0 && bootId && bootId !== options.previousBootId) return bootId;
      last = r.exitCode === 0 ? 'still on the previous boot' : `boot id read failed: ${r.stderr.trim()}`;
    } catch (err) {
      if (isMarshalError(err) && !err.retryable) throw err;
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) {
      throw new HostUnreachable(host.name, `not back within ${options.timeoutMs} ms (${last})`, {
        context: { previousBootId: options.previousBootId },
      });
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
}
