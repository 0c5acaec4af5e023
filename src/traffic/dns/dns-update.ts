import { isIP } from 'node:net';
import { inZone, isDomainName } from './domain-name.js';
import type { TsigKey } from './tsig-key.js';

/**
 * One RFC 2136 dynamic update: prerequisites the live zone must meet (§2.4), then the RRset changes
 * (§2.5), applied by the server atomically or not at all. With no changes, the same message is the dry
 * run: the server checks the TSIG key, that the zone is its own, and every prerequisite, and changes nothing.
 */
export type RecordType = 'A' | 'AAAA' | 'CNAME' | 'TXT';

export type Prerequisite =
  /** The RRset holds exactly these values (value-dependent "RRset exists", §2.4.2). */
  | { kind: 'rrset-is'; owner: string; type: RecordType; values: readonly string[] }
  /** Some RRset of this type exists at the name (§2.4.1). */
  | { kind: 'rrset-exists'; owner: string; type: RecordType }
  /** No RRset of this type at the name (§2.4.3). */
  | { kind: 'rrset-absent'; owner: string; type: RecordType };

export type RecordChange =
  /** Replace the whole RRset with these values (delete it, then add each). */
  | { kind: 'replace'; owner: string; type: RecordType; ttl: number; values: readonly string[] }
  /** Delete the whole RRset (nothing happens when there is none). */
  | { kind: 'delete'; owner: string; type: RecordType };

/** The values an RRset holds once the change is applied. */
export function valuesAfter(change: RecordChange): readonly string[] {
  return change.kind === 'replace' ? change.values : [];
}

export interface DnsUpdate {
  zone: string;
  prerequisites: readonly Prerequisite[];
  changes: readonly RecordChange[];
}

export interface DnsServer {
  host: string;
  port: number;
}

/** `host`, `host:port` or `[v6]:port` (port 53 by default). */
export function parseDnsServer(text: string): DnsServer {
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(text);
  const [host, port] = v6 ? [v6[1]!, v6[2]] : (text.split(':') as [string, string | undefined]);
  const n = port === undefined ? 53 : Number(port);
  if (!Number.isInteger(n) || n < 1 || n > 65_535)
    throw new RangeError(`DNS server ${text}: port ${port} is not 1–65535`);
  if (!isIP(host) && !isDomainName(host))
    throw new RangeError(`DNS server ${text}: ${host} is not an address or host name`);
  return { host, port: n };
}

/** Why a value cannot be a record of `type`, or undefined when it can. */
export function recordValueProblem(type: RecordType, value: string): string | undefined {
  if (type === 'A') return isIP(value) === 4 ? undefined : `${JSON.stringify(value)} is not an IPv4 address`;
  if (type === 'AAAA')
    return isIP(value) === 6 ? undefined : `${JSON.stringify(value)} is not an IPv6 address`;
  // Narrow on purpose (ACME's base64url digests fit): the value is quoted on one line of knsupdate's script.
  if (type === 'TXT')
    return TXT_VALUE.test(value)
      ? undefined
      : `${JSON.stringify(value)} is not a TXT value of 1–255 letters, digits and + / = _ . : -`;
  return isDomainName(value) ? undefined : `${JSON.stringify(value)} is not a DNS name`;
}

const TXT_VALUE = /^[A-Za-z0-9+/=_.:-]{1,255}$/;

/**
 * The `knsupdate` command script for an update: one command per line, every token checked first, so no
 * name or value can add a line. The secret goes in through the script (stdin), never on the command line.
 */
export function knsupdateScript(update: DnsUpdate, server: DnsServer, key: TsigKey): string {
  const zone = checkedName(update.zone, 'zone');
  const lines = [
    `server ${server.host} ${server.port}`,
    `zone ${zone}`,
    `key ${key.algorithm}:${checkedName(key.name, 'TSIG key name')} ${checkedSecret(key.secret)}`,
  ];
  for (const p of update.prerequisites) {
    const owner = checkedOwner(p.owner, zone);
    if (p.kind === 'rrset-is') {
      if (p.values.length === 0) throw new RangeError(`a prerequisite on ${owner} ${p.type} names no value`);
      for (const value of p.values)
        lines.push(`prereq yxrrset ${owner} ${p.type} ${checkedValue(p.type, value)}`);
    } else if (p.kind === 'rrset-exists') lines.push(`prereq yxrrset ${owner} ${p.type}`);
    else lines.push(`prereq nxrrset ${owner} ${p.type}`);
  }
  for (const c of update.changes) {
    const owner = checkedOwner(c.owner, zone);
    if (c.kind === 'delete') {
      lines.push(`update delete ${owner} ${c.type}`);
      continue;
    }
    if (!Number.isInteger(c.ttl) || c.ttl < 0 || c.ttl > 2_147_483_647)
      throw new RangeError(`TTL ${c.ttl} is not a whole number of seconds`);
    if (c.values.length === 0) throw new RangeError(`the change to ${owner} ${c.type} names no value`);
    if (c.type === 'CNAME' && c.values.length > 1)
      throw new RangeError(`a CNAME (${owner}) has exactly one value`);
    lines.push(`update delete ${owner} ${c.type}`);
    for (const value of c.values)
      lines.push(`update add ${owner} ${c.ttl} ${c.type} ${checkedValue(c.type, value)}`);
  }
  lines.push('send', 'answer', 'quit');
  return `${lines.join('\n')}\n`;
}

function checkedName(name: string, what: string): string {
  if (!isDomainName(name)) throw new RangeError(`${what} ${JSON.stringify(name)} is not a DNS name`);
  return name.endsWith('.') ? name.toLowerCase() : `${name.toLowerCase()}.`;
}

function checkedOwner(owner: string, zone: string): string {
  const name = checkedName(owner, 'record name');
  if (!inZone(name, zone)) throw new RangeError(`${name} is not in the zone ${zone}`);
  return name;
}

function checkedValue(type: RecordType, value: string): string {
  const problem = recordValueProblem(type, value);
  if (problem) throw new RangeError(problem);
  if (type === 'TXT') return `"${value}"`;
  return type === 'CNAME' ? checkedName(value, 'CNAME target') : value;
}

function checkedSecret(secret: string): string {
  // Never echo the secret in the message.
  if (!/^[A-Za-z0-9+/]+=*$/.test(secret)) throw new RangeError('the TSIG secret is not base64');
  return secret;
}
