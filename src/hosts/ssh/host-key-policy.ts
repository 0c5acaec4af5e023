import { appendFileSync, readFileSync, statSync } from 'node:fs';
import type { Host } from '../host.js';
import {
  fingerprintSha256,
  formatKnownHostsLine,
  knownHostsName,
  KnownHostsIndex,
  parseKnownHosts,
} from '../known-hosts.js';
import { HostKeyRejected } from '../errors/host-key-rejected.js';

/** Decides, from a known_hosts file, whether a presented host key is trusted. */
export class HostKeyPolicy {
  private cache: { mtimeMs: number; size: number; index: KnownHostsIndex } | undefined;

  constructor(
    private readonly path: string,
    private readonly trustOnFirstUse: boolean,
  ) {}

  /**
   * Which version of known_hosts a verdict was given on (its modification time and size): a connection
   * verified on the same version needs no second look when it is reused.
   */
  version(): string {
    try {
      const stat = statSync(this.path);
      return `${stat.mtimeMs}:${stat.size}`;
    } catch {
      return 'absent';
    }
  }

  /** undefined when trusted; the error to raise otherwise. */
  check(host: Host, key: Buffer): HostKeyRejected | undefined {
    const names = [knownHostsName(host.address, host.port)];
    if (host.name !== host.address) names.push(knownHostsName(host.name, host.port));
    const verdict = this.index().verify(names, key);
    if (verdict.status === 'trusted') return undefined;
    const fingerprint = fingerprintSha256(key);
    if (verdict.status === 'unknown' && this.trustOnFirstUse) {
      appendFileSync(this.path, `${formatKnownHostsLine(names[0]!, key)}\n`);
      this.cache = undefined;
      return undefined;
    }
    const context =
      verdict.status === 'changed'
        ? { knownHostsPath: this.path, knownLines: verdict.knownLines }
        : verdict.status === 'revoked'
          ? { knownHostsPath: this.path, line: verdict.line }
          : { knownHostsPath: this.path };
    return new HostKeyRejected(host.name, verdict.status, fingerprint, {
      ...context,
      address: host.address,
      port: host.port,
    });
  }

  private index(): KnownHostsIndex {
    let stat: { mtimeMs: number; size: number };
    try {
      stat = statSync(this.path);
    } catch {
      return new KnownHostsIndex([]);
    }
    if (!this.cache || this.cache.mtimeMs !== stat.mtimeMs || this.cache.size !== stat.size) {
      this.cache = {
        mtimeMs: stat.mtimeMs,
        size: stat.size,
        index: new KnownHostsIndex(parseKnownHosts(readFileSync(this.path, 'utf8')).entries),
      };
    }
    return this.cache.index;
  }
}
