import { DnsUpdateError } from '../errors/dns-update-error.js';
import type { DnsReader } from './dns-reader.js';
import {
  valuesAfter,
  type DnsServer,
  type DnsUpdate,
  type Prerequisite,
  type RecordType,
} from './dns-update.js';
import type { DnsUpdateSender } from './knsupdate-client.js';
import { explainRcode } from './knsupdate-outcome.js';
import type { TsigKey } from './tsig-key.js';

export interface RecordSet {
  owner: string;
  type: RecordType;
  values: string[];
}

/**
 * One zone on its authoritative server, as the drill changes it: a dry run that has the server check
 * the key and every prerequisite against the live zone and changes nothing, and an apply that reads the
 * changed records back with real queries. A refusal says which records differ from what was expected.
 */
export class DnsZone {
  constructor(
    private readonly deps: {
      zone: string;
      server: DnsServer;
      key: TsigKey;
      sender: DnsUpdateSender;
      reader: DnsReader;
    },
  ) {}

  /** The update's prerequisites only: the server verifies the TSIG key, its authority and each prerequisite. */
  async dryRun(update: DnsUpdate, signal?: AbortSignal): Promise<RecordSet[]> {
    await this.send({ ...update, changes: [] }, update, signal);
    return this.read(update.prerequisites.map((p) => ({ owner: p.owner, type: p.type })));
  }

  /** Sends the update, then reads every changed RRset back and checks it holds the values asked for. */
  async apply(update: DnsUpdate, signal?: AbortSignal): Promise<RecordSet[]> {
    await this.send(update, update, signal);
    const after = await this.read(update.changes.map((c) => ({ owner: c.owner, type: c.type })));
    const wrong = update.changes.filter((c, i) => !sameValues(after[i]!.values, valuesAfter(c)));
    if (wrong.length > 0)
      throw this.error(
        `the server accepted the update but answers ${wrong
          .map(
            (c) =>
              `${c.owner} ${c.type} with ${describe(after[update.changes.indexOf(c)]!.values)}, not ${describe(valuesAfter(c))}`,
          )
          .join('; ')}`,
      );
    return after;
  }

  async read(sets: readonly { owner: string; type: RecordType }[]): Promise<RecordSet[]> {
    return Promise.all(
      sets.map(async (s) => ({ ...s, values: await this.deps.reader.rrset(s.owner, s.type) })),
    );
  }

  private async send(message: DnsUpdate, update: DnsUpdate, signal?: AbortSignal): Promise<void> {
    const { server, key, sender } = this.deps;
    let outcome;
    try {
      outcome = await sender.send(message, server, key, signal);
    } catch (err) {
      throw this.error(`could not run the update client: ${(err as Error).message}`, {
        retryable: true,
        cause: err,
      });
    }
    if (outcome.ok) return;
    const unreachable = outcome.rcode === undefined;
    let detail = explainRcode(outcome.rcode);
    if (outcome.rcode === 'NXRRSET' || outcome.rcode === 'YXRRSET')
      detail += `; ${await this.describePrerequisites(update.prerequisites)}`;
    // knsupdate's own words, with the secret cut out should it ever quote its key line.
    else if (unreachable && outcome.error) detail = outcome.error.split(key.secret).join('<secret>');
    throw this.error(`${detail}${outcome.rcode ? ` (${outcome.rcode})` : ''}`, {
      rcode: outcome.rcode,
      retryable: unreachable,
    });
  }

  /** Each prerequisite next to what the live zone holds, for the operator to see which one broke. */
  private async describePrerequisites(prerequisites: readonly Prerequisite[]): Promise<string> {
    const live = await this.read(prerequisites).catch(() => undefined);
    if (!live) return 'the live records could not be read';
    return prerequisites
      .map((p, i) => {
        const now = live[i]!.values;
        const expected =
          p.kind === 'rrset-is'
            ? describe(p.values)
            : p.kind === 'rrset-exists'
              ? 'some records'
              : 'no record';
        const holds =
          p.kind === 'rrset-is'
            ? sameValues(now, p.values)
            : p.kind === 'rrset-exists'
              ? now.length > 0
              : now.length === 0;
        return `${p.owner} ${p.type} is ${describe(now)}${holds ? '' : ` (expected ${expected})`}`;
      })
      .join('; ');
  }

  private error(
    what: string,
    options: { rcode?: string; retryable?: boolean; cause?: unknown } = {},
  ): DnsUpdateError {
    const { zone, server } = this.deps;
    const at = `${server.host}:${server.port}`;
    return new DnsUpdateError(`DNS update of zone ${zone} at ${at}: ${what}`, {
      zone,
      server: at,
      ...options,
    });
  }
}

function normalise(values: readonly string[]): string[] {
  return values.map((v) => v.toLowerCase().replace(/\.$/, '')).sort();
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  const [x, y] = [normalise(a), normalise(b)];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function describe(values: readonly string[]): string {
  return values.length === 0 ? 'empty' : values.join(', ');
}
