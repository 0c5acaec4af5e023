/**
 * Ansible host patterns in inventory files: `web[01:20].example.com`, `db-[a:f]`, `node[0:10:2]`, with an
 * optional `:port` (`[::1]:2222` for IPv6). Mirrors ansible's `expand_hostname_range` and `parse_address`:
 * a begin with a leading zero pads every name to its width, letters count through a-z then A-Z, and
 * later ranges in the same pattern expand inside earlier ones.
 */
export interface ExpandedPattern {
  names: string[];
  port: number | undefined;
}

/** A typo like `web[1:100000]` must not build a million hosts in the bot's memory. */
export const MAX_HOSTS_PER_PATTERN = 10_000;

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const BRACKETED_HOSTPORT = /^\[(.+)\]:([0-9]+)$/;
const HOSTPORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/;

export class HostPatternError extends Error {
  override name = 'HostPatternError';
}

export function expandHostPattern(pattern: string): ExpandedPattern {
  let host = pattern;
  let port: number | undefined;
  const m = BRACKETED_HOSTPORT.exec(pattern) ?? HOSTPORT.exec(pattern);
  if (m) {
    host = m[1]!;
    port = Number(m[2]);
    if (port < 1 || port > 65535)
      throw new HostPatternError(`port ${m[2]} in '${pattern}' is outside 1..65535`);
  } else if (pattern.endsWith(':')) {
    throw new HostPatternError(`'${pattern}' ends in ':' with no port`);
  }
  const names = host.includes('[') ? expandRanges(host) : [host];
  return { names, port };
}

function expandRanges(pattern: string): string[] {
  const open = pattern.indexOf('[');
  const close = pattern.indexOf(']', open);
  if (close < 0) throw new HostPatternError(`'${pattern}' opens a range with '[' but never closes it`);
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const bounds = pattern.slice(open + 1, close).split(':');
  if (bounds.length !== 2 && bounds.length !== 3) {
    throw new HostPatternError(`range in '${pattern}' must be [begin:end] or [begin:end:step]`);
  }
  const begin = bounds[0] || '0';
  const end = bounds[1]!;
  const stepText = bounds[2] ?? '1';
  if (!end) throw new HostPatternError(`range in '${pattern}' has no end`);
  if (!/^[0-9]+$/.test(stepText) || Number(stepText) < 1) {
    throw new HostPatternError(`range step in '${pattern}' must be a positive integer, got '${stepText}'`);
  }
  const step = Number(stepText);

  let items: string[];
  const b = LETTERS.indexOf(begin);
  const e = LETTERS.indexOf(end);
  if (begin.length === 1 && end.length === 1 && b >= 0 && e >= 0) {
    if (b > e) throw new HostPatternError(`range in '${pattern}' must have begin <= end`);
    items = [];
    for (let i = b; i <= e; i += step) items.push(LETTERS[i]!);
  } else {
    if (!/^[0-9]+$/.test(begin) || !/^[0-9]+$/.test(end)) {
      throw new HostPatternError(
        `range in '${pattern}' must be numbers or single letters, got [${bounds.join(':')}]`,
      );
    }
    const padded = begin.length > 1 && begin.startsWith('0');
    if (padded && begin.length !== end.length) {
      throw new HostPatternError(
        `range in '${pattern}' pads with zeros, so begin and end must have the same width`,
      );
    }
    const from = Number(begin);
    const to = Number(end);
    if ((to - from) / step >= MAX_HOSTS_PER_PATTERN) {
      throw new HostPatternError(`range in '${pattern}' expands to more than ${MAX_HOSTS_PER_PATTERN} hosts`);
    }
    items = [];
    for (let i = from; i <= to; i += step)
      items.push(padded ? String(i).padStart(begin.length, '0') : String(i));
  }

  const names: string[] = [];
  for (const item of items) {
    const name = head + item + tail;
    for (const n of name.includes('[') ? expandRanges(name) : [name]) {
      names.push(n);
      if (names.length > MAX_HOSTS_PER_PATTERN) {
        throw new HostPatternError(`'${pattern}' expands to more than ${MAX_HOSTS_PER_PATTERN} hosts`);
      }
    }
  }
  return names;
}
