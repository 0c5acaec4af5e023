import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCertificateDefinition } from '../../../src/certificates/parse-definition.js';
import { domainCovers, domainNameProblem } from '../../../src/certificates/domain-name.js';
import { parseDuration } from '../../../src/certificates/duration.js';
import { ErrorCode, ValidationError } from '../../../src/errors/index.js';
import { thrownBy } from '../../support/refusal.js';

const exampleText = readFileSync(
  new URL('../../../examples/certificates/www-example/certificate.yaml', import.meta.url),
  'utf8',
);
const options = { allowedRoots: ['/etc/ssl/marshal'] };

const refusal = (text: string, name = 'www-example'): ValidationError =>
  thrownBy(ValidationError, () => parseCertificateDefinition(name, text, options));

const edit = (from: string, to: string): string => {
  if (!exampleText.includes(from)) throw new Error(`the example has no "${from}"`);
  return exampleText.replace(from, to);
};

describe('parseCertificateDefinition', () => {
  it('reads the shipped example with its defaults filled in', () => {
    const def = parseCertificateDefinition('www-example', exampleText, options);
    expect(def.domains).toEqual(['www.example.com', 'example.com']);
    expect(def.keyType).toBe('ecdsa-p256');
    expect(def.issuer).toEqual({
      type: 'acme',
      directoryUrl: 'https://acme-v02.api.letsencrypt.org/directory',
      account: { email: 'certificates@example.com' },
      challenge: 'dns-01',
    });
    expect(def.deploy.key).toEqual({
      path: '/etc/ssl/marshal/www-example/privkey.pem',
      owner: 'root',
      group: 'root',
      mode: 0o600,
    });
    expect(def.service.test.argv).toEqual(['nginx', '-t']);
    expect(def.check).toEqual({ port: 443, sni: 'www.example.com' });
    expect(def.renewBefore).toBe(30 * 86_400_000);
  });

  it('defaults the SNI name to the first domain, the port to 443 and renew-before to 30 days', () => {
    const def = parseCertificateDefinition(
      'www-example',
      edit('check: { port: 443, sni: www.example.com }', '').replace('renewBefore: 30d', ''),
      options,
    );
    expect(def.check).toEqual({ port: 443, sni: 'www.example.com' });
    expect(def.renewBefore).toBe(30 * 86_400_000);
  });

  it('reads a provided issuer', () => {
    const def = parseCertificateDefinition(
      'www-example',
      edit(
        'issuer:\n  type: acme\n  directoryUrl: https://acme-v02.api.letsencrypt.org/directory\n  account: { email: certificates@example.com }\n  challenge: dns-01 # or http-01 (not for wildcard names)',
        'issuer: { type: provided, certificate: cert.pem, key: /srv/pki/www.key }',
      ),
      options,
    );
    expect(def.issuer).toEqual({ type: 'provided', certificate: 'cert.pem', key: '/srv/pki/www.key' });
  });

  const cases: [string, string, string, string][] = [
    ['an unknown top-level field', 'renewBefore: 30d', 'renewBefore: 30d\nrenewAfter: 3d', ''],
    ['an unknown nested field', "mode: '0600' }", "mode: '0600', imutable: true }", 'deploy.key'],
    [
      'a key path outside the allowed directories',
      '/etc/ssl/marshal/www-example/privkey.pem',
      '/etc/shadow',
      'deploy.key.path',
    ],
    [
      'a certificate path escaping with ..',
      '/etc/ssl/marshal/www-example/fullchain.pem',
      '/etc/ssl/marshal/../passwd',
      'deploy.certificate.path',
    ],
    [
      'a relative path',
      '/etc/ssl/marshal/www-example/fullchain.pem',
      'fullchain.pem',
      'deploy.certificate.path',
    ],
    ['a key readable by everyone', "mode: '0600' }", "mode: '0644' }", 'deploy.key.mode'],
    [
      'the key and certificate in one file',
      '/etc/ssl/marshal/www-example/privkey.pem',
      '/etc/ssl/marshal/www-example/fullchain.pem',
      'deploy.key.path',
    ],
    ['an unknown key type', 'keyType: ecdsa-p256', 'keyType: rsa-1024', 'keyType'],
    [
      'a domain with upper case',
      'domains: [www.example.com, example.com]',
      'domains: [WWW.example.com]',
      'domains[0]',
    ],
    [
      'a repeated domain',
      'domains: [www.example.com, example.com]',
      'domains: [www.example.com, www.example.com]',
      'domains[1]',
    ],
    ['no domain', 'domains: [www.example.com, example.com]', 'domains: []', 'domains'],
    ['a wildcard with http-01', 'challenge: dns-01', 'challenge: http-01', ''],
    ['an unknown challenge', 'challenge: dns-01', 'challenge: tls-sni-01', 'issuer.challenge'],
    ['a plain-http directory', 'https://acme-v02', 'http://acme-v02', 'issuer.directoryUrl'],
    ['an unknown issuer type', 'type: acme', 'type: vault', 'issuer.type'],
    [
      'an SNI name the certificate does not cover',
      'sni: www.example.com',
      'sni: api.example.com',
      'check.sni',
    ],
    ['a bad port', 'port: 443', 'port: 70000', 'check.port'],
    ['a bad selector', 'hosts: role=web', "hosts: 'role=web;rm'", 'deploy.hosts'],
    ['a service command as a shell string', 'test: [nginx, -t]', "test: ['nginx -t']", 'service.test.argv'],
    ['no owners', 'owners: [U024BE7LH, S0614TZR7]', 'owners: []', 'owners'],
    ['a bad renew-before', 'renewBefore: 30d', 'renewBefore: 1 month', 'renewBefore'],
    ['another name than the directory', 'name: www-example', 'name: www-other', 'name'],
  ];

  it.each(cases)('refuses %s, naming the field', (_what, from, to, field) => {
    const text =
      _what === 'a wildcard with http-01'
        ? edit(from, to).replace(
            'domains: [www.example.com, example.com]',
            'domains: [www.example.com, "*.example.com"]',
          )
        : edit(from, to);
    const err = refusal(text);
    expect(err.code).toBe(ErrorCode.InvalidCertificateDefinition);
    expect(err.context).toMatchObject({ certificate: 'www-example' });
    expect(err.message).toContain('Certificate "www-example"');
    const wanted = _what === 'a wildcard with http-01' ? 'domains[1]' : field;
    expect(err.issues.map((i) => i.path)).toContain(wanted);
  });

  it('says what is allowed when a path is outside the allowed directories', () => {
    const err = refusal(edit('/etc/ssl/marshal/www-example/privkey.pem', '/etc/shadow'));
    expect(err.issues).toEqual([
      {
        path: 'deploy.key.path',
        message: 'must be under one of the allowed roots (/etc/ssl/marshal), found "/etc/shadow"',
      },
    ]);
  });

  it('refuses duplicate YAML keys', () => {
    expect(refusal(`${exampleText}\nkeyType: rsa-2048\n`).message).toContain('not valid YAML');
  });

  it('property: any deploy path is accepted exactly when it is a clean path under an allowed root', () => {
    const segment = fc.oneof(
      fc.stringMatching(/^[a-z0-9_-]{1,8}$/),
      fc.constantFrom('..', '.', '', 'a b', 'x;y'),
    );
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.boolean(), (segments, underRoot) => {
        const path = (underRoot ? '/etc/ssl/marshal/' : '/etc/') + segments.join('/');
        const clean = segments.every((s) => /^[a-z0-9_-]{1,8}$/.test(s));
        const text = edit('/etc/ssl/marshal/www-example/privkey.pem', path);
        let accepted = true;
        try {
          parseCertificateDefinition('www-example', text, options);
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          expect(err.issues.map((i) => i.path)).toContain('deploy.key.path');
          accepted = false;
        }
        expect(accepted).toBe(clean && underRoot);
      }),
      { numRuns: 150 },
    );
  });
});

describe('domain names and durations', () => {
  it('property: a wildcard covers exactly the names one label deeper', () => {
    const label = fc.stringMatching(/^[a-z0-9]{1,10}$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 2, maxLength: 4 }), label, label, (base, host, other) => {
        const zone = base.join('.');
        expect(domainNameProblem(`*.${zone}`)).toBeUndefined();
        expect(domainCovers(`*.${zone}`, `${host}.${zone}`)).toBe(true);
        expect(domainCovers(`*.${zone}`, zone)).toBe(false);
        expect(domainCovers(`*.${zone}`, `${other}.${host}.${zone}`)).toBe(false);
        expect(domainCovers(`${host}.${zone}`, `${host}.${zone}`)).toBe(true);
      }),
    );
  });

  it('refuses names no certificate can carry', () => {
    for (const bad of [
      'localhost',
      'a..b',
      '-a.example.com',
      'a-.example.com',
      'www.*.example.com',
      '*.com',
      'Www.example.com',
      `${'a'.repeat(64)}.com`,
    ])
      expect(domainNameProblem(bad), bad).toBeDefined();
  });

  it('property: durations read back to whole days or hours, anything else is refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99_999 }), fc.constantFrom('d', 'h'), (n, unit) => {
        expect(parseDuration(`${n}${unit}`)).toBe(n * (unit === 'd' ? 86_400_000 : 3_600_000));
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        if (!/^[1-9][0-9]{0,4}[dh]$/.test(text)) expect(parseDuration(text)).toBeUndefined();
      }),
    );
  });
});
