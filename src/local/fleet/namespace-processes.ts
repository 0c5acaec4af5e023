import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** The mount-namespace id of a process (`mnt:[4026532…]`), or undefined when it is gone. */
export function mountNamespaceOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}

/**
 * Every process in those of the given mount namespaces that still belong to one host: a namespace
 * counts only while one of its processes names `owner` (the host's sshd_config path) on its command
 * line. The kernel reuses a freed namespace's id, so an id recorded before a host's reboot (or by a
 * fleet that died) may by now name another fleet's host, which must never be signalled.
 * `any-owner` (for checks that nothing is left) takes every process. One pass over /proc serves many.
 */
export function processesInNamespaces(
  namespaces: ReadonlySet<string>,
  /** The host's sshd_config path, or `any-owner`. */
  owner: string,
): Map<string, number[]> {
  const found = new Map<string, number[]>();
  const owned = new Set<string>();
  if (namespaces.size === 0) return found;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const ns = mountNamespaceOf(pid);
    if (ns === undefined || !namespaces.has(ns)) continue;
    const list = found.get(ns) ?? [];
    list.push(pid);
    found.set(ns, list);
    if (!owned.has(ns) && (owner === 'any-owner' || commandLineOf(pid).includes(owner))) owned.add(ns);
  }
  for (const ns of [...found.keys()]) if (!owned.has(ns)) found.delete(ns);
  return found;
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
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
