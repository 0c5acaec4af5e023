import { posix } from 'node:path';
import type { ShellCommand } from '../hosts/executor.js';
import { sh } from '../hosts/quote.js';
import type { BundleCommand } from './manifest.js';
import { parseFileState, type RemoteFileState } from '../hosts/file-commands.js';

// Generic to every workflow; re-exported for the config push's callers.
export {
  fileStateCommand,
  parseFileState,
  removeCommand,
  type RemoteFileState,
} from '../hosts/file-commands.js';

/**
 * The shell commands a config push sends to hosts, each built with `sh` (every value quoted, `--` before
 * paths), and the parsers of what they print. Pure: no I/O here, so the exact text is testable.
 */

/** A manifest command with `{file}` standing for `file`; each argument stays one quoted word. */
export function bundleCommand(command: BundleCommand, file: string): ShellCommand {
  return sh`${command.argv.map((arg) => arg.replaceAll('{file}', file))}`;
}

/** `cp -p` keeps the old file's mode and owner, so restoring it restores them too. */
export function backupCommand(target: string, backup: string): ShellCommand {
  return sh`cp -p -- ${target} ${backup}`;
}

/** Same directory, so `mv` is a rename: readers see the old file or the new one, never half of one. */
export function installCommand(candidate: string, target: string): ShellCommand {
  return sh`mv -f -- ${candidate} ${target}`;
}

/** Copy the backup beside the target, then rename it into place: the backup stays for a later restore. */
export function restoreCommand(backup: string, restore: string, target: string): ShellCommand {
  return sh`cp -p -- ${backup} ${restore} && mv -f -- ${restore} ${target}`;
}

export function kernelReleaseCommand(): ShellCommand {
  return sh`uname -r`;
}

export function osReleaseCommand(): ShellCommand {
  return sh`cat /etc/os-release`;
}

/** Free space where the file goes; the directory must exist (the application's package creates it). */
export function diskSpaceCommand(target: string): ShellCommand {
  return sh`df -Pk -- ${posix.dirname(target)}`;
}

/**
 * The file's checksum and its text in one round trip (the push needs both before it changes anything):
 * prints `absent`, or the sha256 line followed by the file.
 */
export function fileContentCommand(path: string): ShellCommand {
  return sh`if [ -e ${path} ]; then sha256sum -- ${path} && cat -- ${path}; else echo absent; fi`;
}

export function parseFileContent(
  stdout: string,
): { state: RemoteFileState; text: string | undefined } | undefined {
  const newline = stdout.indexOf('\n');
  const first = newline < 0 ? stdout : stdout.slice(0, newline + 1);
  const state = parseFileState(first);
  if (!state) return undefined;
  return { state, text: state.exists ? stdout.slice(newline + 1) : undefined };
}

const FACTS_SEPARATOR = 'marshal-host-facts-section';
/** Exit codes of `hostFactsCommand` that say which probe failed. */
export const HOST_FACT_PROBES: Record<number, string> = {
  91: 'uname -r',
  92: 'reading /etc/os-release',
  93: 'df on the directory of the target',
};

/**
 * The pre-check probes (kernel release, os-release, free space where the file goes) in one round trip
 * instead of three; a failed probe exits with its code in HOST_FACT_PROBES.
 */
export function hostFactsCommand(target: string): ShellCommand {
  const sep = FACTS_SEPARATOR;
  return sh`uname -r || exit 91; printf '\\n%s\\n' ${sep}; cat /etc/os-release || exit 92; printf '\\n%s\\n' ${sep}; df -Pk -- ${posix.dirname(target)} || exit 93`;
}

export function splitHostFacts(
  stdout: string,
): { kernelRelease: string; osRelease: string; df: string } | undefined {
  const parts = stdout.split(`\n${FACTS_SEPARATOR}\n`);
  if (parts.length !== 3) return undefined;
  const [kernelRelease = '', osRelease = '', df = ''] = parts;
  return { kernelRelease: kernelRelease.trim(), osRelease, df };
}
