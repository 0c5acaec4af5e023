import { DnsUpdateError } from '../../traffic/errors/dns-update-error.js';
import type { DnsReader } from '../../traffic/dns/dns-reader.js';
import type { DnsServer, DnsUpdate } from '../../traffic/dns/dns-update.js';
import { DnsZone } from '../../traffic/dns/dns-zone.js';
import { absolute, inZone, isDomainName } from '../../traffic/dns/domain-name.js';
import type { DnsUpdateSender } from '../../traffic/dns/knsupdate-client.js';
import type { TsigKey } from '../../traffic/dns/tsig-key.js';
import type { DnsChallengeSolver } from './dns-challenge-solver.js';

export interface Rfc2136SolverSettings {
  zone: string;
  server: DnsServer;
  key: TsigKey;
  /** TTL of the challenge record: short, it lives for one validation. */
  ttl: number;
  /** The config path these settings came from, named in every refusal (`certificates.acme.solver.rfc2136`). */
  field: string;
}

/**
 * Answers DNS-01 by RFC 2136 updates signed with TSIG to the zone's authoritative server: the same
 * update path (knsupdate, `DnsZone`) the DR drill switches records with. `setTxt` replaces the
 * `_acme-challenge` TXT RRset with the one value and resolves once the server answers with it (read back
 * from that server, not a cache); `clearTxt` deletes the RRset and checks it is gone. The issuer answers
 * one authorization at a time, so replacing (not adding) is safe when a name and its wildcard share the
 * record. A refusal names the zone, the server, the server's response code and the config field to fix;
 * never the secret.
 */
export class Rfc2136DnsSolver implements DnsChallengeSolver {
  private readonly zone: DnsZone;

  constructor(
    private readonly settings: Rfc2136SolverSettings,
    io: { sender: DnsUpdateSender; reader: DnsReader },
  ) {
    this.zone = new DnsZone({
      zone: absolute(settings.zone),
      server: settings.server,
      key: settings.key,
      sender: io.sender,
      reader: io.reader,
    });
  }

  async setTxt(recordName: string, value: string): Promise<void> {
    const owner = this.owner(recordName);
    await this.apply({
      zone: absolute(this.settings.zone),
      prerequisites: [],
      changes: [{ kind: 'replace', owner, type: 'TXT', ttl: this.settings.ttl, values: [value] }],
    });
  }

  async clearTxt(recordName: string): Promise<void> {
    const owner = this.owner(recordName);
    await this.apply({
      zone: absolute(this.settings.zone),
      prerequisites: [],
      changes: [{ kind: 'delete', owner, type: 'TXT' }],
    });
  }

  private owner(recordName: string): string {
    const zone = absolute(this.settings.zone);
    const owner = absolute(recordName.toLowerCase());
    if (!isDomainName(owner) || !inZone(owner, zone))
      throw new DnsUpdateError(
        `${owner} is not in the zone ${zone} that ${this.settings.field}.zone names: the DNS-01 solver can only publish records in that zone`,
        { zone, server: this.at() },
      );
    return owner;
  }

  private async apply(update: DnsUpdate): Promise<void> {
    try {
      await this.zone.apply(update);
    } catch (err) {
      if (!(err instanceof DnsUpdateError)) throw err;
      throw new DnsUpdateError(`${err.message}; ${this.fix(err.rcode)}`, {
        zone: absolute(this.settings.zone),
        server: this.at(),
        ...(err.rcode ? { rcode: err.rcode } : {}),
        retryable: err.retryable,
        cause: err,
      });
    }
  }

  /** Which field of the config to look at for each refusal. */
  private fix(rcode: string | undefined): string {
    const { field, key } = this.settings;
    switch (rcode) {
      case 'BADSIG':
      case 'BADKEY':
      case 'BADTIME':
        return `check ${field}.key (name ${key.name}, ${key.algorithm}, secret from ${key.source}) against the key the server has`;
      case 'REFUSED':
      case 'NOTAUTH':
      case 'NOTZONE':
        return `check ${field}.zone and that the server lets ${field}.key update it`;
      case undefined:
        return `check ${field}.server`;
      default:
        return `check ${field}`;
    }
  }

  private at(): string {
    return `${this.settings.server.host}:${this.settings.server.port}`;
  }
}
