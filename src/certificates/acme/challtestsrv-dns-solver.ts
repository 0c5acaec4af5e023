import { challtestsrvPost } from './challtestsrv-post.js';
import type { DnsChallengeSolver } from './dns-challenge-solver.js';

/**
 * Publishes DNS-01 TXT records through pebble-challtestsrv's management API (`/set-txt`, `/clear-txt`):
 * the DNS server pebble's validation authority really queries. For test and staging CAs; production
 * uses `Rfc2136DnsSolver` behind the same interface.
 */
export class ChalltestsrvDnsSolver implements DnsChallengeSolver {
  constructor(private readonly managementUrl: string) {}

  async setTxt(recordName: string, value: string): Promise<void> {
    await this.post('/set-txt', { host: fqdn(recordName), value });
  }

  async clearTxt(recordName: string): Promise<void> {
    await this.post('/clear-txt', { host: fqdn(recordName) });
  }

  private post(path: string, body: Record<string, string>): Promise<void> {
    return challtestsrvPost(this.managementUrl, path, body);
  }
}

const fqdn = (name: string): string => (name.endsWith('.') ? name : `${name}.`);
