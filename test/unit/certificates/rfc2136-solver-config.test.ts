import { describe, expect, it } from 'vitest';
import { CertificatesConfig } from '../../../src/config/certificates-config.js';
import { knsupdateScript } from '../../../src/traffic/dns/dns-update.js';

const base = { directory: '/etc/marshal/certificates', trustStore: ['/etc/marshal/roots.pem'] };
const rfc2136 = {
  server: 'ns1.example.com:53',
  zone: 'example.com.',
  key: { name: 'marshal-acme.', algorithm: 'hmac-sha256', secretEnv: 'MARSHAL_ACME_TSIG_SECRET' },
};
const problems = (solver: unknown): string[] => {
  const r = CertificatesConfig.safeParse({ ...base, acme: { solver } });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('certificates.acme.solver.rfc2136 in the config', () => {
  it('takes a server, a zone and a key whose secret is named by an environment variable', () => {
    const parsed = CertificatesConfig.parse({ ...base, acme: { solver: { rfc2136 } } });
    expect(parsed.acme?.solver.rfc2136).toEqual({ ...rfc2136, ttl: 60 });
  });

  it('refuses a secret written in the file, naming the field', () => {
    const withSecret = { ...rfc2136, key: { ...rfc2136.key, secret: 'c2VjcmV0' } };
    expect(problems({ rfc2136: withSecret })).toEqual([
      expect.stringMatching(
        /^acme\.solver\.rfc2136\.key\.secret: the TSIG secret is never written in the config/,
      ),
    ]);
  });

  it('names each wrong field: server, zone, algorithm, variable name, no solver at all', () => {
    expect(problems({ rfc2136: { ...rfc2136, server: 'ns1:99999' } })).toEqual([
      expect.stringMatching(/^acme\.solver\.rfc2136\.server: must be host or host:port/),
    ]);
    expect(problems({ rfc2136: { ...rfc2136, zone: 'exa mple.com' } })).toEqual([
      expect.stringMatching(/^acme\.solver\.rfc2136\.zone: must be a DNS name/),
    ]);
    expect(
      problems({ rfc2136: { ...rfc2136, key: { ...rfc2136.key, algorithm: 'sha256', secretEnv: 'lower' } } }),
    ).toEqual([
      expect.stringMatching(/^acme\.solver\.rfc2136\.key\.algorithm: must be one of hmac-sha256/),
      expect.stringMatching(
        /^acme\.solver\.rfc2136\.key\.secretEnv: must be the name of an environment variable/,
      ),
    ]);
    expect(problems({})).toEqual([expect.stringMatching(/^acme\.solver: name a solver: rfc2136/)]);
  });
});

describe('TXT records in the knsupdate script', () => {
  const key = { name: 'k.', algorithm: 'hmac-sha256' as const, secret: 'c2VjcmV0', source: 'test' };
  const server = { host: '127.0.0.1', port: 53 };

  it('quotes a challenge value and deletes the RRset on clear', () => {
    const script = knsupdateScript(
      {
        zone: 'example.com.',
        prerequisites: [],
        changes: [
          {
            kind: 'replace',
            owner: '_acme-challenge.www.example.com',
            type: 'TXT',
            ttl: 60,
            values: ['a-b_c'],
          },
          { kind: 'delete', owner: '_acme-challenge.example.com.', type: 'TXT' },
        ],
      },
      server,
      key,
    );
    expect(script.split('\n').slice(3, 6)).toEqual([
      'update delete _acme-challenge.www.example.com. TXT',
      'update add _acme-challenge.www.example.com. 60 TXT "a-b_c"',
      'update delete _acme-challenge.example.com. TXT',
    ]);
  });

  it('refuses a TXT value that could end the quoted string or the line', () => {
    for (const value of ['a" b', 'a\nsend', 'a b', '', 'x'.repeat(256)])
      expect(() =>
        knsupdateScript(
          {
            zone: 'example.com.',
            prerequisites: [],
            changes: [{ kind: 'replace', owner: 'x.example.com.', type: 'TXT', ttl: 60, values: [value] }],
          },
          server,
          key,
        ),
      ).toThrow(/is not a TXT value/);
  });
});
