import { UnexpectedHostOutputError } from '../errors/unexpected-host-output-error.js';

/**
 * `df -Pk <dir>`: POSIX output, one header line and one line per file system, 1024-byte blocks:
 * `Filesystem 1024-blocks Used Available Capacity Mounted on`. The file system name may contain spaces
 * (rare but legal), so fields are read from the right, where the numbers are.
 */
export interface DiskSpace {
  filesystem: string;
  availableKb: number;
  /** The Capacity column: how full the file system is, in percent (rounded up by df). */
  usedPercent: number;
  mountedOn: string;
}

export function parseDfPortable(text: string, host?: string): DiskSpace {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const fail = (problem: string): never => {
    throw new UnexpectedHostOutputError('df -Pk', problem, text, { host });
  };
  const [header, row, ...extra] = lines;
  if (
    !header ||
    !/^Filesystem\s+1024-blocks\s+Used\s+Avail(able)?\s+Capacity\s+Mounted on$/.test(header.trim())
  )
    return fail('the header is not the POSIX "Filesystem 1024-blocks Used Available Capacity Mounted on"');
  if (!row) return fail('there is no line for the file system');
  if (extra.length > 0) return fail(`expected one file system, found ${1 + extra.length}`);
  const match = /^(.+?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%\s+(\/.*)$/.exec(row.trim());
  if (!match) return fail(`"${row.trim()}" is not "<fs> <blocks> <used> <available> <n>% <mount point>"`);
  const [, filesystem = '', , , available = '', capacity = '', mountedOn = ''] = match;
  return { filesystem, availableKb: Number(available), usedPercent: Number(capacity), mountedOn };
}
