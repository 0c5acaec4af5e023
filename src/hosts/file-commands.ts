import type { ShellCommand } from './executor.js';
import { sh } from './quote.js';

/**
 * Shell commands on a host's files that every workflow needs, built with `sh` (`--` before paths), and
 * the parsers of what they print. Pure: the exact text is testable.
 */

/** Prints `absent`, or the file's sha256 line. */
export function fileStateCommand(path: string): ShellCommand {
  return sh`if [ -e ${path} ]; then sha256sum -- ${path}; else echo absent; fi`;
}

export type RemoteFileState = { exists: false } | { exists: true; sha256: string };

export function parseFileState(stdout: string): RemoteFileState | undefined {
  const text = stdout.trim();
  if (text === 'absent') return { exists: false };
  const match = /^([0-9a-f]{64})\s/.exec(text);
  return match?.[1] ? { exists: true, sha256: match[1] } : undefined;
}

export function removeCommand(paths: readonly string[]): ShellCommand {
  return sh`rm -f -- ${paths}`;
}

/** `df -Pk` on the file system that holds `path` (POSIX output, 1024-byte blocks). */
export function diskUsageCommand(path: string): ShellCommand {
  return sh`df -Pk -- ${path}`;
}
