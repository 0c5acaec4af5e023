import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { knsupdateScript, parseDnsServer } from '../../../src/traffic/dns/dns-update.js';
import { readKnsupdateOutcome } from '../../../src/traffic/dns/knsupdate-outcome.js';
import { switchRecords } from '../../../src/traffic/dns/record-switch.js';
import type { TsigKey } from '../../../src/traffic/dns/tsig-key.js';

const key: TsigKey = {
  name: 'drill-key.',
  algorithm: 'hmac-sha256',
  secret: 'c2VjcmV0c2VjcmV0',
  source: 'test',
};
const server = { host: '127.0.0.1', port: 5353 };

/** Any text, valid names, and names carrying a second command or argument. */
const token = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    'api.drill.test.',
    'west.drill.test',
    'api.drill.test.\nsend',
    'a.drill.test. 1 A 192.0.2.1',
    'b.drill.test;x',
  ),
  fc.stringMatching(/^[a-z0-9.\n ;-]{1,30}$/).map((s) => `${s}.drill.test.`),
);

describe('the knsupdate script for an update', () => {
  it('checks the current values, then replaces each record set', () => {
    const update = switchRecords(
      'drill.test.',
      [
        {
          owner: 'api.drill.test.',
          type: 'A',
          ttl: 30,
          primary: ['192.0.2.10'],
          secondary: ['198.51.100.10'],
        },
      ],
      'primary',
      'secondary',
    );
    expect(knsupdateScript(update, server, key).split('\n')).toEqual([
      'server 127.0.0.1 5353',
      'zone drill.test.',
      'key hmac-sha256:drill-key. c2VjcmV0c2VjcmV0',
      'prereq yxrrset api.drill.test. A 192.0.2.10',
      'update delete api.drill.test. A',
      'update add api.drill.test. 30 A 198.51.100.10',
      'send',
      'answer',
      'quit',
      '',
    ]);
  });

  it('never lets a name or value add a command: it is refused, or stays one token on its line', () => {
    fc.assert(
      fc.property(token, token, (owner, value) => {
        const update = {
          zone: 'drill.test.',
          prerequisites: [],
          changes: [{ kind: 'replace' as const, owner, type: 'CNAME' as const, ttl: 30, values: [value] }],
        };
        let script: string;
        try {
          script = knsupdateScript(update, server, key);
        } catch (err) {
          expect(err).toBeInstanceOf(RangeError);
          return;
        }
        const lines = script.trimEnd().split('\n');
        expect(lines).toHaveLength(8);
        expect(lines[3]!.split(' ')).toHaveLength(4);
        expect(lines[4]!.split(' ')).toHaveLength(6);
      }),
    );
  });

  it('refuses records outside the zone and values of the wrong kind', () => {
    const change = (owner: string, type: 'A' | 'CNAME', value: string) => ({
      zone: 'drill.test.',
      prerequisites: [],
      changes: [{ kind: 'replace' as const, owner, type, ttl: 30, values: [value] }],
    });
    expect(() => knsupdateScript(change('api.example.com.', 'A', '192.0.2.1'), server, key)).toThrow(
      /not in the zone/,
    );
    expect(() => knsupdateScript(change('api.drill.test.', 'A', 'west.drill.test.'), server, key)).toThrow(
      /not an IPv4/,
    );
  });

  it('reads host:port servers, port 53 by default', () => {
    expect(parseDnsServer('10.0.0.53')).toEqual({ host: '10.0.0.53', port: 53 });
    expect(parseDnsServer('[::1]:5353')).toEqual({ host: '::1', port: 5353 });
    expect(() => parseDnsServer('10.0.0.53:0')).toThrow(RangeError);
  });
});

describe("reading knsupdate's outcome", () => {
  it('tells a refused prerequisite, a bad TSIG signature and success apart', () => {
    const nxrrset = `;; ERROR: update failed with error 'NXRRSET'\n;; ->>HEADER<<- opcode: UPDATE; status: NXRRSET; id: 46319\n`;
    expect(readKnsupdateOutcome(1, nxrrset)).toEqual({
      ok: false,
      rcode: 'NXRRSET',
      error: "update failed with error 'NXRRSET'",
    });
    const badsig = `;; ERROR: reply verification (failed to verify TSIG)\n;; ->>HEADER<<- opcode: UPDATE; status: NOTAUTH; id: 51749\n;; TSIG PSEUDOSECTION:\ndrill-key.          \t0\tANY\tTSIG\thmac-sha256. 1795738421 300 0 51749 BADSIG 0\n`;
    expect(readKnsupdateOutcome(1, badsig)).toMatchObject({ ok: false, rcode: 'BADSIG' });
    const ok = `;; ->>HEADER<<- opcode: UPDATE; status: NOERROR; id: 43474\ndrill-key.          \t0\tANY\tTSIG\thmac-sha256. 1795738412 300 32 xsBRehkeJH24J3JM1EF1IYHJihm8A+bN21AW80ncpRY= 43474 NOERROR 0\n`;
    expect(readKnsupdateOutcome(0, ok)).toEqual({ ok: true, rcode: 'NOERROR', error: undefined });
    expect(readKnsupdateOutcome(1, ';; ERROR: failed to update (connection refused)\n')).toMatchObject({
      ok: false,
      rcode: undefined,
    });
  });
});
