import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { challtestsrvPost } from '../../../src/certificates/acme/challtestsrv-post.js';
import { TestCa } from '../../../src/local/acme/test-ca.js';
import { CertFixture, DOMAINS } from '../../support/cert-fixture.js';
import { DEMO_REQUESTER } from '../../support/config-push-fixture.js';

const DAY = 86_400_000;

/**
 * Every bad certificate or definition, and an ACME order whose challenge the CA finds invalid, is refused
 * in validation with an error naming the certificate and the rule (or the CA's reason), and no host is touched: what each host serves and the files beside it are as before.
 */
describe('certificate renewal refuses bad input before any host is touched', { timeout: 240_000 }, () => {
  let c: CertFixture;
  beforeAll(async () => {
    c = await CertFixture.start({ hosts: 3 });
  }, 180_000);
  afterAll(async () => {
    await c?.close();
  });

  const cases = (): { name: string; rule: RegExp; write: () => void | Promise<void> }[] => {
    const ca = c.firstCa;
    const rsa = { keyType: 'rsa-2048' };
    const leaf = (o: Partial<Parameters<TestCa['issue']>[0]> = {}) =>
      ca.issue({ commonName: DOMAINS[0]!, dnsNames: DOMAINS, ...o });
    const provided =
      (name: string, o: Parameters<TestCa['issue']>[0] | undefined, extra = {}) =>
      () => {
        const l = leaf(o);
        c.writeProvided(name, { certificatePem: l.certPem, keyPem: l.keyPem }, { ...rsa, ...extra });
      };
    const i1 = ca.intermediate('Bad Input I1');
    const i2 = i1.intermediate('Bad Input I2');
    const underI2 = i2.issue({ commonName: DOMAINS[0]!, dnsNames: DOMAINS });
    const untrustedRoot = TestCa.root('Nobody Trusts This Root');
    const other = untrustedRoot.issue({ commonName: DOMAINS[0]!, dnsNames: DOMAINS });
    return [
      {
        name: 'expired',
        rule: /\[expired\]/,
        write: provided('expired', {
          commonName: DOMAINS[0]!,
          dnsNames: DOMAINS,
          notBefore: new Date(Date.now() - 10 * DAY),
          notAfter: new Date(Date.now() - DAY),
        }),
      },
      {
        name: 'not-yet-valid',
        rule: /\[not-yet-valid\]/,
        write: provided('not-yet-valid', {
          commonName: DOMAINS[0]!,
          dnsNames: DOMAINS,
          notBefore: new Date(Date.now() + DAY),
        }),
      },
      {
        name: 'san-missing',
        rule: /\[san-mismatch\] missing example\.test/,
        write: provided('san-missing', { commonName: DOMAINS[0]!, dnsNames: [DOMAINS[0]!] }),
      },
      {
        name: 'san-extra',
        rule: /\[san-mismatch\] not declared extra\.example\.test/,
        write: provided('san-extra', {
          commonName: DOMAINS[0]!,
          dnsNames: [...DOMAINS, 'extra.example.test'],
        }),
      },
      {
        name: 'untrusted',
        rule: /\[untrusted\]/,
        // The whole chain up to its root is given: the root is not one the trust store holds.
        write: () =>
          c.writeProvided(
            'untrusted',
            { certificatePem: other.certPem, keyPem: other.keyPem, chainPem: untrustedRoot.certPem },
            rsa,
          ),
      },
      {
        name: 'chain-incomplete',
        rule: /\[chain-incomplete\]/,
        write: () =>
          c.writeProvided(
            'chain-incomplete',
            { certificatePem: underI2.certPem, keyPem: underI2.keyPem, chainPem: i2.certPem },
            rsa,
          ),
      },
      {
        name: 'chain-order',
        rule: /\[chain-order\]/,
        write: () =>
          c.writeProvided(
            'chain-order',
            { certificatePem: underI2.certPem, keyPem: underI2.keyPem, chainPem: i1.certPem + i2.certPem },
            rsa,
          ),
      },
      {
        name: 'key-mismatch',
        rule: /\[key-mismatch\]/,
        write: () =>
          c.writeProvided('key-mismatch', { certificatePem: leaf().certPem, keyPem: leaf().keyPem }, rsa),
      },
      {
        name: 'rsa-1024',
        rule: /\[weak-key\] the RSA key has 1024 bits/,
        write: provided('rsa-1024', { commonName: DOMAINS[0]!, dnsNames: DOMAINS, keyBits: 1024 }),
      },
      {
        name: 'sha1',
        rule: /\[weak-signature\]/,
        write: provided('sha1', { commonName: DOMAINS[0]!, dnsNames: DOMAINS, digest: 'sha1' }),
      },
      {
        name: 'ca-leaf',
        rule: /\[leaf-is-ca\]/,
        write: provided('ca-leaf', {
          commonName: DOMAINS[0]!,
          dnsNames: DOMAINS,
          isCa: true,
          extKeyUsage: { serverAuth: true },
        }),
      },
      {
        name: 'no-server-auth',
        rule: /\[no-server-auth\]/,
        write: provided('no-server-auth', {
          commonName: DOMAINS[0]!,
          dnsNames: DOMAINS,
          extKeyUsage: { clientAuth: true },
        }),
      },
      {
        name: 'unknown-field',
        rule: /certificate\.yaml is invalid[\s\S]*surprise/,
        write: provided('unknown-field', undefined, { surprise: true }),
      },
      {
        name: 'outside-roots',
        rule: /deploy\.certificate\.path/,
        write: provided('outside-roots', undefined, {
          deploy: {
            hosts: 'role=web',
            certificate: { path: '/etc/nginx/www.pem', owner: 'root', group: 'root', mode: '0644' },
            key: { path: '/etc/ssl/marshal/www/privkey.pem', owner: 'root', group: 'root', mode: '0600' },
          },
        }),
      },
      {
        name: 'acme-challenge-invalid',
        // Pebble really looks the DNS-01 TXT record up; its DNS server answers SERVFAIL for this name,
        // as an authoritative server the record never reached would fail the lookup: the order fails.
        rule: /ACME challenge for www\.unreachable\.example\.test failed: the CA says: [\s\S]*the TXT record _acme-challenge\.www\.unreachable\.example\.test/i,
        write: async () => {
          await challtestsrvPost(c.pebble.challengeApiUrl, '/set-servfail', {
            host: '_acme-challenge.www.unreachable.example.test.',
          });
          c.writeAcme('acme-challenge-invalid', {
            domains: ['www.unreachable.example.test'],
            check: { port: 443, sni: 'www.unreachable.example.test' },
          });
        },
      },
    ];
  };

  it('each case fails in validation, naming the certificate and the rule; every host serves and holds what it did', async () => {
    const before = await c.servedAll();
    const files = c.f.hosts.map((h) => c.files(h.name));
    const seen: Record<string, string> = {};
    for (const bad of cases()) {
      await bad.write();
      const reply = await c.f.sendCommand(DEMO_REQUESTER, `renew ${bad.name}`, '/cert');
      const run = await c.f.waitForRun(reply.runId!);
      const failed = run.tasks.filter((t) => t.state === 'failed');
      expect({ name: bad.name, state: run.state, failed: failed.map((t) => t.taskId) }).toMatchObject({
        name: bad.name,
        state: 'failed',
        failed: [expect.stringMatching(/^validation\./)],
      });
      const error = failed[0]!.error ?? '';
      seen[bad.name] = error;
      expect({ name: bad.name, error }).toMatchObject({ error: expect.stringMatching(bad.rule) });
      expect(error).toContain(`"${bad.name}"`);
      // No host was reached: no rollout target, nothing served or written differently.
      expect(run.targets).toEqual([]);
    }
    expect(Object.keys(seen)).toHaveLength(cases().length);
    expect(await c.servedAll()).toEqual(before);
    expect(c.f.hosts.map((h) => c.files(h.name))).toEqual(files);
  }, 400_000);
});
