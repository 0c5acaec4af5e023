/** One line of a fleet host's mount table: what is mounted where, and how. */
export interface FstabEntry {
  source: string;
  target: string;
  type: string;
  options: string;
}

/**
 * A host's private mounts as an fstab, for one `mount --all --fstab <file>` in its namespace: one process
 * for every mount instead of one `mount` per mount. Starting 50 hosts at once (a batch coming back from
 * its reboots) spent most of its time exec'ing `mount` (8 a host) on a 2-core machine. Mounted in order,
 * so a mount inside another (the disk inside the state directory) comes after it. Pure.
 */
export function renderFstab(entries: readonly FstabEntry[]): string {
  return entries
    .map((e) => [e.source, e.target, e.type, e.options, '0', '0'].map(fstabField).join(' '))
    .join('\n')
    .concat('\n');
}

/** fstab's octal escapes: a field holds no space, tab, newline or backslash of its own. */
function fstabField(value: string): string {
  if (value === '') throw new Error('an fstab field cannot be empty');
  return value.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}
