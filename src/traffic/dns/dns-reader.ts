import { Resolver } from 'node:dns/promises';
import type { DnsServer, RecordType } from './dns-update.js';

/** What Marshal reads back from DNS: a record set's values, and a zone's serial. */
export interface DnsReader {
  /** The values of the RRset, sorted; empty when there is none. */
  rrset(owner: string, type: RecordType): Promise<string[]>;
  serial(zone: string): Promise<number>;
}

/**
 * Real DNS queries (UDP, through Node's resolver) to one server: the authoritative server itself, so
 * the answer is the zone's, not a cache's.
 */
export class DirectDnsReader implements DnsReader {
  private readonly resolver: Resolver;

  constructor(server: DnsServer, options: { timeoutMs?: number; tries?: number } = {}) {
    this.resolver = new Resolver({ timeout: options.timeoutMs ?? 2_000, tries: options.tries ?? 2 });
    const host = server.host.includes(':') ? `[${server.host}]` : server.host;
    this.resolver.setServers([`${host}:${server.port}`]);
  }

  async rrset(owner: string, type: RecordType): Promise<string[]> {
    const name = owner.replace(/\.$/, '');
    try {
      if (type === 'TXT')
        // A TXT record's strings are one value (RFC 7208 §3.3 style), as the update wrote it.
        return (await this.resolver.resolveTxt(name)).map((chunks) => chunks.join('')).sort();
      const values =
        type === 'A'
          ? await this.resolver.resolve4(name)
          : type === 'AAAA'
            ? await this.resolver.resolve6(name)
            : await this.resolver.resolveCname(name);
      return values.map((v) => (type === 'CNAME' ? `${v.toLowerCase().replace(/\.$/, '')}.` : v)).sort();
    } catch (err) {
      if (isNoData(err)) return [];
      throw err;
    }
  }

  async serial(zone: string): Promise<number> {
    return (await this.resolver.resolveSoa(zone.replace(/\.$/, ''))).serial;
  }
}

function isNoData(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ENODATA' || code === 'ENOTFOUND';
}
