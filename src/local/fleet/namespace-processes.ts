import { readdirSync, readlinkSync } from 'node:fs';

/** The mount-namespace id of a process (`mnt:[4026532…]`), or undefined when it is gone. */
export function mountNamespaceOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}

/**
 * Every process in each of the given mount namespaces: a fleet host's sshd, its sessions and the
 * commands they run. One pass over /proc serves many hosts.
 */
export function processesInNamespaces(namespaces: ReadonlySet<string>): Map<string, number[]> {
  const found = new Map<string, number[]>();
  if (namespaces.size === 0) return found;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const ns = mountNamespaceOf(pid);
    if (ns === undefined || !namespaces.has(ns)) continue;
    const list = found.get(ns) ?? [];
    list.push(pid);
    found.set(ns, list);
  }
  return found;
}

export function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone: exactly what a stop wants.
    }
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
