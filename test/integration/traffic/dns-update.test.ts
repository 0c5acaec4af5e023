import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, ValidationError } from '../../../src/errors/index.js';
import { freePort } from '../../../src/local/free-port.js';
import { LocalKnot } from '../../../src/local/drill/knot-dns.js';
import { DirectDnsReader } from '../../../src/traffic/dns/dns-reader.js';
import { DnsZone } from '../../../src/traffic/dns/dns-zone.js';
import { KnsupdateSender } from '../../../src/traffic/dns/knsupdate-client.js';
import { switchRecords, type SwitchableRecord } from '../../../src/traffic/dns/record-switch.js';
import { resolveTsigKey, type TsigKey } from '../../../src/traffic/dns/tsig-key.js';
import type { DnsServer } from '../../../src/traffic/dns/dns-update.js';

const ZONE = 'drill.test.';
const api: SwitchableRecord = {
  owner: 'api.drill.test.',
  type: 'A',
  ttl: 30,
  primary: ['192.0.2.10'],
  secondary: ['198.51.100.10', '198.51.100.11'],
};
const www: SwitchableRecord = {
  owner: 'www.drill.test.',
  type: 'CNAME',
  ttl: 30,
  primary: ['west.drill.test.'],
  secondary: ['central.drill.test.'],
};

describe('DNS switches by RFC 2136 updates signed with TSIG, against a real knotd', () => {
  let knot: LocalKnot;
  let key: TsigKey;
  let reader: DirectDnsReader;
  const zone = (k: TsigKey = key, server: DnsServer = knot.server): DnsZone =>
    new DnsZone({ zone: ZONE, server, key: k, sender: new KnsupdateSender(), reader });

  beforeAll(async () => {
    knot = await LocalKnot.start({
      zone: ZONE,
      records: [
        'api 60 IN A 192.0.2.10',
        'www 60 IN CNAME west',
        'west 60 IN A 192.0.2.10',
        'central 60 IN A 198.51.100.10',
      ],
    });
    // As an operator would: the secret reaches Marshal through the environment variable the scenario names.
    key = resolveTsigKey(
      { name: knot.key.name, algorithm: knot.key.algorithm, secret: { env: 'DRILL_TSIG_SECRET' } },
      { DRILL_TSIG_SECRET: knot.key.secret },
    );
    reader = new DirectDnsReader(knot.server);
  });
  afterAll(() => knot?.stop());

  it('the dry run has the server check the key and the current records, and changes nothing', async () => {
    const serial = await reader.serial(ZONE);
    const live = await zone().dryRun(switchRecords(ZONE, [api, www], 'primary', 'secondary'));
    expect(live).toEqual([
      { owner: 'api.drill.test.', type: 'A', values: ['192.0.2.10'] },
      { owner: 'www.drill.test.', type: 'CNAME', values: ['west.drill.test.'] },
    ]);
    expect(await reader.serial(ZONE)).toBe(serial);
  });

  it('a scenario whose current records are wrong (a typo) fails the dry run, naming what the zone holds', async () => {
    const typo = { ...api, primary: ['192.0.2.11'] };
    const err = await zone()
      .dryRun(switchRecords(ZONE, [typo, www], 'primary', 'secondary'))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.DnsUpdateFailed, rcode: 'NXRRSET', retryable: false });
    expect((err as Error).message).toMatch(
      /api\.drill\.test\. A is 192\.0\.2\.10 \(expected 192\.0\.2\.11\)/,
    );
    expect((err as Error).message).not.toMatch(/www\.drill\.test\. CNAME is west\.drill\.test\. \(expected/);
  });

  it('a wrong TSIG secret or key name is found by the dry run', async () => {
    const wrongSecret = { ...key, secret: Buffer.alloc(32, 7).toString('base64') };
    const bad = await zone(wrongSecret)
      .dryRun(switchRecords(ZONE, [api], 'primary', 'secondary'))
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: ErrorCode.DnsUpdateFailed, rcode: 'BADSIG' });
    expect((bad as Error).message).toMatch(/secret is not the one the server has/);
    expect((bad as Error).message).not.toContain(wrongSecret.secret);

    const unknownKey = await zone({ ...key, name: 'other-key.' })
      .dryRun(switchRecords(ZONE, [api], 'primary', 'secondary'))
      .catch((e: unknown) => e);
    expect(unknownKey).toMatchObject({ rcode: 'BADKEY' });
  });

  it('switches A and CNAME records to the secondary and back, read back with real queries', async () => {
    const before = await reader.serial(ZONE);
    await zone().apply(switchRecords(ZONE, [api, www], 'primary', 'secondary'));
    expect(await reader.rrset(api.owner, 'A')).toEqual(['198.51.100.10', '198.51.100.11']);
    expect(await reader.rrset(www.owner, 'CNAME')).toEqual(['central.drill.test.']);
    expect(await reader.serial(ZONE)).toBeGreaterThan(before);

    // Switching again from the primary now fails as a whole: the records are no longer the primary's.
    const again = await zone()
      .apply(switchRecords(ZONE, [api, www], 'primary', 'secondary'))
      .catch((e: unknown) => e);
    expect(again).toMatchObject({ rcode: 'NXRRSET' });

    await zone().apply(switchRecords(ZONE, [api, www], 'secondary', 'primary'));
    expect(await reader.rrset(api.owner, 'A')).toEqual(['192.0.2.10']);
    expect(await reader.rrset(www.owner, 'CNAME')).toEqual(['west.drill.test.']);
  });

  it('refuses a record name that would add a command line before anything is sent', async () => {
    const sneaky = { ...api, owner: 'api.drill.test.\nupdate delete drill.test. NS' };
    await expect(zone().dryRun(switchRecords(ZONE, [sneaky], 'primary', 'secondary'))).rejects.toThrow(
      /not a DNS name/,
    );
    expect(await reader.rrset('drill.test.', 'A')).toEqual([]);
  });

  it('a secret missing from the environment is refused naming the field and the variable, never a value', () => {
    let err: unknown;
    try {
      resolveTsigKey(
        { name: 'drill-key.', algorithm: 'hmac-sha256', secret: { env: 'DRILL_TSIG_SECRET' } },
        {},
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues).toEqual([
      { path: 'traffic.dns.key.secret.env', message: expect.stringMatching(/DRILL_TSIG_SECRET is not set/) },
    ]);
  });

  it('a server that does not answer is a retryable failure', async () => {
    const nobody = { host: '127.0.0.1', port: await freePort() };
    const sender = new KnsupdateSender({ timeoutSeconds: 1, retries: 0 });
    const err = await new DnsZone({ zone: ZONE, server: nobody, key, sender, reader })
      .dryRun(switchRecords(ZONE, [api], 'primary', 'secondary'))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.DnsUpdateFailed, retryable: true });
  });
});
