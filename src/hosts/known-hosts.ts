import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * OpenSSH known_hosts, parsed and matched without I/O. Supports plain and hashed (`|1|salt|hash`)
 * names, `[host]:port`, comma-separated names, `*`/`?` wildcards, `!negation`, and the `@revoked`
 * and `@cert-authority` markers (a revoked key is refused even if another line trusts it; CA lines
 * are kept but not used, since Marshal accepts plain host keys only).
 */
export interface KnownHostEntry {
  marker: 'revoked' | 'cert-authority' | null;
  /** The raw host field: names, patterns or one hashed name. */
  hosts: string;
  keyType: string;
  /** The public key blob (base64 decoded). */
  key: Buffer;
  line: number;
}

export type HostKeyVerdict =
  | { status: 'trusted'; line: number }
  | { status: 'revoked'; line: number }
  | { status: 'changed'; knownLines: number[] }
  | { status: 'unknown' };

export interface KnownHostsParseResult {
  entries: KnownHostEntry[];
  /** Lines that could not be read, with why: reported, never fatal (OpenSSH skips them too). */
  skipped: { line: number; reason: string }[];
}

export function parseKnownHosts(text: string): KnownHostsParseResult {
  const entries: KnownHostEntry[] = [];
  const skipped: { line: number; reason: string }[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return skipped.push({ line, reason: `unknown marker ${m}` });
    }
    const [hosts, keyType, keyText] = fields;
    if (!hosts || !keyType || !keyText)
      return skipped.push({ line, reason: 'expected: [marker] hosts keytype base64-key' });
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(keyText)) return skipped.push({ line, reason: 'key is not base64' });
    const key = Buffer.from(keyText, 'base64');
    if (blobKeyType(key) !== keyType)
      return skipped.push({ line, reason: `key blob is not of type ${keyType}` });
    entries.push({ marker, hosts, keyType, key, line });
  });
  return { entries, skipped };
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Does this entry's host field name `name` (already in knownHostsName form)? */
export function entryMatches(entry: KnownHostEntry, name: string): boolean {
  if (entry.hosts.startsWith('|1|')) return hashedMatches(entry.hosts, name);
  let matched = false;
  for (const pattern of entry.hosts.split(',')) {
    if (pattern.startsWith('!')) {
      if (wildcardMatches(pattern.slice(1), name)) return false;
    } else if (wildcardMatches(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/**
 * The verdict for a key a server presented under any of `names` (e.g. its address and inventory
 * name, each in knownHostsName form). Revocation wins over trust, as in OpenSSH.
 */
export function verifyHostKey(
  entries: readonly KnownHostEntry[],
  names: readonly string[],
  key: Buffer,
): HostKeyVerdict {
  return new KnownHostsIndex(entries).verify(names, key);
}

/**
 * known_hosts looked up by name instead of line by line: a file naming 10,000 hosts is read once per
 * version, and each handshake's check costs a map lookup (plus the few wildcard, negated or hashed lines,
 * whose matches are remembered per name), not a pass over every line of the file.
 */
export class KnownHostsIndex {
  /** Lines whose host field is only literal names, by lower-cased name. */
  private readonly byName = new Map<string, KnownHostEntry[]>();
  /** Lines with wildcards, negations or a hashed name: matched one by one (once per name, see memo). */
  private readonly patterned: KnownHostEntry[] = [];
  /** The first @revoked line of each key, by the key's base64. */
  private readonly revoked = new Map<string, KnownHostEntry>();
  private readonly memo = new Map<string, KnownHostEntry[]>();

  constructor(entries: readonly KnownHostEntry[]) {
    for (const entry of entries) {
      if (entry.marker === 'revoked') {
        const id = entry.key.toString('base64');
        if (!this.revoked.has(id)) this.revoked.set(id, entry);
        continue;
      }
      if (entry.marker !== null) continue;
      const patterns = entry.hosts.split(',');
      const literal =
        !entry.hosts.startsWith('|1|') && patterns.every((p) => !p.startsWith('!') && !/[*?]/.test(p));
      if (!literal) {
        this.patterned.push(entry);
        continue;
      }
      for (const name of new Set(patterns.map((p) => p.toLowerCase()))) {
        const list = this.byName.get(name);
        if (list) list.push(entry);
        else this.byName.set(name, [entry]);
      }
    }
  }

  /** The lines (no marker) that name `name`, in file order. */
  forName(name: string): KnownHostEntry[] {
    const lower = name.toLowerCase();
    let matched = this.memo.get(lower);
    if (!matched) {
      matched = this.patterned.filter((e) => entryMatches(e, name));
      this.memo.set(lower, matched);
    }
    const literal = this.byName.get(lower) ?? [];
    return matched.length === 0 ? literal : [...literal, ...matched];
  }

  verify(names: readonly string[], key: Buffer): HostKeyVerdict {
    const revoked = this.revoked.get(key.toString('base64'));
    if (revoked) return { status: 'revoked', line: revoked.line };
    const lines = new Set<KnownHostEntry>();
    for (const name of names) for (const entry of this.forName(name)) lines.add(entry);
    const forHost = [...lines].sort((a, b) => a.line - b.line);
    const type = blobKeyType(key);
    const trusted = forHost.find((e) => e.key.equals(key));
    if (trusted) return { status: 'trusted', line: trusted.line };
    // OpenSSH treats a known key of another type as "no key of this type known", not as a change.
    const sameType = forHost.filter((e) => e.keyType === type);
    if (sameType.length > 0) return { status: 'changed', knownLines: sameType.map((e) => e.line) };
    if (forHost.length > 0) return { status: 'changed', knownLines: forHost.map((e) => e.line) };
    return { status: 'unknown' };
  }
}

/** `SHA256:…` as `ssh-keygen -l` prints it. */
export function fingerprintSha256(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** A known_hosts line for trust-on-first-use. */
export function formatKnownHostsLine(name: string, key: Buffer): string {
  return `${name} ${blobKeyType(key) ?? 'unknown'} ${key.toString('base64')}`;
}

/** The type name written inside an SSH public key blob (a length-prefixed string). */
export function blobKeyType(key: Buffer): string | undefined {
  if (key.length < 4) return undefined;
  const len = key.readUInt32BE(0);
  if (len === 0 || len > 64 || key.length < 4 + len) return undefined;
  return key.subarray(4, 4 + len).toString('latin1');
}

function hashedMatches(field: string, name: string): boolean {
  const parts = field.split('|');
  if (parts.length !== 4 || !parts[2] || !parts[3]) return false;
  const salt = Buffer.from(parts[2], 'base64');
  const expected = Buffer.from(parts[3], 'base64');
  const actual = createHmac('sha1', salt).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function wildcardMatches(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern.toLowerCase() === name.toLowerCase();
  const re = new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
    'i',
  );
  return re.test(name);
}
