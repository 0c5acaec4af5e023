import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCertificateDefinition } from '../../../src/certificates/parse-definition.js';
import { deploymentFiles } from '../../../src/certificates/deployment-files.js';
import type { ServedCertificate } from '../../../src/certificates/probe/probe-served-certificate.js';
import { expiryVerdict } from '../../../src/certificates/radar/expiry.js';
import { servedStatus, type HostProbe } from '../../../src/certificates/radar/served-status.js';
import type { ValidatedCertificate } from '../../../src/certificates/validation/validate-certificate.js';
import { readFileSync } from 'node:fs';

const DAY = 86_400_000;
const now = new Date('2030-01-01T00:00:00Z');

const served = (fingerprint: string, notAfter: string): ServedCertificate => ({
  fingerprintSha256: fingerprint,
  serial: `S-${fingerprint}`,
  subject: 'CN=www.example.test',
  issuer: 'CN=Test CA',
  notBefore: '2029-01-01T00:00:00.000Z',
  notAfter,
  dnsNames: ['www.example.test'],
  ipAddresses: [],
  endpoint: { host: '127.0.0.1', port: 443, servername: 'www.example.test' },
  hostnameMatches: true,
  protocol: 'TLSv1.3',
});

describe('expiryVerdict', () => {
  it('ok before the window, renew inside it, expired from notAfter on', () => {
    const notAfter = new Date(now.getTime() + 40 * DAY);
    expect(expiryVerdict(notAfter, 30 * DAY, now)).toEqual({
      state: 'ok',
      daysLeft: 40,
      renewFrom: new Date(now.getTime() + 10 * DAY).toISOString(),
    });
    expect(expiryVerdict(notAfter, 40 * DAY, now).state).toBe('renew');
    expect(expiryVerdict(now, 30 * DAY, now).state).toBe('expired');
  });

  it('property: as time passes the state only moves forward: ok → renew → expired', () => {
    const rank = { ok: 0, renew: 1, expired: 2 } as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 0, max: 400 }),
        fc.array(fc.integer({ min: -500 * DAY, max: 500 * DAY }), { minLength: 2, maxLength: 6 }),
        (renewDays, lifeDays, offsets) => {
          const notAfter = new Date(now.getTime() + lifeDays * DAY);
          const states = [...offsets]
            .sort((a, b) => a - b)
            .map((o) => rank[expiryVerdict(notAfter, renewDays * DAY, new Date(now.getTime() + o)).state]);
          for (let i = 1; i < states.length; i++) expect(states[i]).toBeGreaterThanOrEqual(states[i - 1]!);
        },
      ),
    );
  });
});

describe('servedStatus', () => {
  it('groups hosts by served fingerprint, lists the unreadable, and judges the soonest expiry', () => {
    const probes: HostProbe[] = [
      { host: 'web-1', served: served('AA', '2030-03-01T00:00:00.000Z') },
      { host: 'web-2', served: served('BB', '2030-01-20T00:00:00.000Z') },
      { host: 'web-3', served: served('AA', '2030-03-01T00:00:00.000Z') },
      { host: 'web-4', error: { code: 'tls_probe_failed', message: 'refused' } },
    ];
    const status = servedStatus('www', probes, { renewBeforeMs: 30 * DAY, now, expected: 'AA' });
    expect(status.groups.map((g) => [g.fingerprintSha256, g.hosts])).toEqual([
      ['AA', ['web-1', 'web-3']],
      ['BB', ['web-2']],
    ]);
    expect(status.failed).toEqual([{ host: 'web-4', code: 'tls_probe_failed', message: 'refused' }]);
    expect(status.notServingExpected).toEqual(['web-2', 'web-4']);
    expect(status.worst).toEqual({ state: 'renew', daysLeft: 19, hosts: ['web-2'] });
  });

  it('property: every host lands in exactly one place', () => {
    const probe = fc.oneof(
      fc.record({ fp: fc.constantFrom('A', 'B', 'C'), days: fc.integer({ min: -10, max: 100 }) }),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(fc.array(probe, { maxLength: 30 }), (specs) => {
        const probes: HostProbe[] = specs.map((s, i) =>
          s
            ? { host: `h${i}`, served: served(s.fp, new Date(now.getTime() + s.days * DAY).toISOString()) }
            : { host: `h${i}`, error: { code: 'tls_probe_failed', message: 'x' } },
        );
        const status = servedStatus('c', probes, { renewBeforeMs: 30 * DAY, now });
        const placed = [...status.groups.flatMap((g) => g.hosts), ...status.failed.map((f) => f.host)];
        expect(placed.sort()).toEqual(probes.map((p) => p.host).sort());
        expect(status.worst === undefined).toBe(status.groups.length === 0);
      }),
    );
  });
});

describe('deploymentFiles', () => {
  const text = readFileSync(
    new URL('../../../examples/certificates/www-example/certificate.yaml', import.meta.url),
    'utf8',
  );
  const validated = {
    leafPem: 'LEAF\n',
    chainPem: 'CHAIN\n',
    fullChainPem: 'LEAF\nCHAIN\n',
  } as ValidatedCertificate;

  it('puts the full chain in the certificate file and the key with its own mode when there is no chain path', () => {
    const def = parseCertificateDefinition('www-example', text, { allowedRoots: ['/etc/ssl/marshal'] });
    expect(deploymentFiles(def, validated, 'KEY')).toEqual([
      {
        role: 'certificate',
        path: '/etc/ssl/marshal/www-example/fullchain.pem',
        content: 'LEAF\nCHAIN\n',
        mode: 0o644,
        owner: 'root',
        group: 'root',
      },
      {
        role: 'key',
        path: '/etc/ssl/marshal/www-example/privkey.pem',
        content: 'KEY',
        mode: 0o600,
        owner: 'root',
        group: 'root',
      },
    ]);
  });

  it('splits leaf and chain when the definition has a chain path', () => {
    const def = parseCertificateDefinition(
      'www-example',
      text.replace(
        '# chain: { path: /etc/ssl/marshal/www-example/chain.pem }',
        'chain: { path: /etc/ssl/marshal/www-example/chain.pem }',
      ),
      { allowedRoots: ['/etc/ssl/marshal'] },
    );
    const files = deploymentFiles(def, validated, 'KEY');
    expect(files.map((f) => [f.role, f.content])).toEqual([
      ['certificate', 'LEAF\n'],
      ['key', 'KEY'],
      ['chain', 'CHAIN\n'],
    ]);
  });
});
