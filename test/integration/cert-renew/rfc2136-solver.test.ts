import { execFile } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createCertificateServices } from '../../../src/app/certificate-services.js';
import { validateCertificate } from '../../../src/certificates/validation/validate-certificate.js';
import { CertificatesConfig } from '../../../src/config/certificates-config.js';
import { ErrorCode } from '../../../src/errors/index.js';
import { LocalPebble } from '../../../src/local/acme/local-pebble.js';
import { LocalKnot } from '../../../src/local/drill/knot-dns.js';
import { DirectDnsReader } from '../../../src/traffic/dns/dns-reader.js';
import { acmeDefinition } from '../../support/cert-fixture.js';

const run = promisify(execFile);
const ZONE = 'acme.test.';
const DOMAINS = ['shop.acme.test', 'acme.test'];
const SECRET_ENV = 'MARSHAL_TEST_ACME_TSIG_SECRET';

/**
 * DNS-01 through RFC 2136: knotd (started here) is authoritative for the challenge zone, pebble's
 * validation authority queries that knotd (`-dnsserver`), and Marshal's issuance path (config section →
 * `createCertificateServices` → definition store → `issue` → acme-client) publishes each
 * `_acme-challenge` TXT record by a TSIG-signed update, then removes it.
 */
describe('the RFC 2136 DNS-01 solver, against a real knotd and pebble', () => {
  let knot: LocalKnot;
  let pebble: LocalPebble;
  let dir: string;
  let trustPem: string;

  beforeAll(async () => {
    process.env.MARSHAL_SECRET_KEY ??= randomBytes(32).toString('base64');
    knot = await LocalKnot.start({ zone: ZONE, records: [], keyName: 'marshal-acme.' });
    pebble = await LocalPebble.start({ dnsServer: knot.address });
    dir = mkdtempSync(join(tmpdir(), 'marshal-rfc2136-'));
    trustPem = await pebble.issuerRoots();
    writeFileSync(join(dir, 'trust.pem'), trustPem);
    writeFileSync(join(dir, 'pebble-tls.pem'), pebble.directoryCaPem);
    for (const [name, domains] of [
      ['shop', DOMAINS],
      ['elsewhere', ['www.other.test']],
    ] as const) {
      mkdirSync(join(dir, 'certificates', name), { recursive: true });
      const definition = { ...acmeDefinition(pebble.directoryUrl, name, 30), domains, check: { port: 443 } };
      writeFileSync(join(dir, 'certificates', name, 'certificate.yaml'), stringify(definition));
    }
  }, 120_000);
  afterAll(async () => {
    delete process.env[SECRET_ENV];
    await pebble?.stop();
    await knot?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // As an operator writes it: the secret only through the environment variable the config names.
  const services = async (secret: string | undefined) => {
    if (secret === undefined) delete process.env[SECRET_ENV];
    else process.env[SECRET_ENV] = secret;
    const config = CertificatesConfig.parse({
      directory: join(dir, 'certificates'),
      trustStore: [join(dir, 'trust.pem')],
      acme: {
        directoryCa: join(dir, 'pebble-tls.pem'),
        solver: {
          rfc2136: {
            server: knot.address,
            zone: 'acme.test',
            key: { name: knot.key.name, algorithm: knot.key.algorithm, secretEnv: SECRET_ENV },
            ttl: 30,
          },
        },
        pollMs: 200,
      },
    });
    return createCertificateServices(config, () => Promise.reject(new Error('no runs here')));
  };

  /** What knotd answers for the challenge record, asked with kdig (not Marshal's own reader). */
  const kdigTxt = async (owner: string): Promise<string[]> => {
    const { stdout } = await run('kdig', ['@127.0.0.1', '-p', String(knot.port), '+short', 'TXT', owner]);
    return stdout
      .split('\n')
      .map((l) => l.trim().replace(/^"|"$/g, ''))
      .filter(Boolean);
  };

  it('publishes each challenge record in the zone, pebble validates it, and the record is gone afterwards', async () => {
    const s = await services(knot.key.secret);
    const reader = new DirectDnsReader(knot.server);
    const serialBefore = await reader.serial(ZONE);
    const owners = DOMAINS.map((d) => `_acme-challenge.${d}.`);
    // Watch the zone from outside while the order runs: the records must really be in knotd.
    const seen = new Map<string, Set<string>>(owners.map((o) => [o, new Set()]));
    let watching = true;
    const watcher = (async () => {
      while (watching)
        for (const owner of owners) for (const v of await kdigTxt(owner)) seen.get(owner)!.add(v);
    })();
    try {
      const definition = await s.store.load('shop');
      const issued = await s.issue(definition, AbortSignal.timeout(60_000));
      const validated = validateCertificate(definition.name, issued, {
        domains: definition.domains,
        keyType: definition.keyType,
        trustStore: [trustPem],
      });
      expect([...new X509Certificate(validated.leafPem).subjectAltName!.split(', ')].sort()).toEqual(
        DOMAINS.map((d) => `DNS:${d}`).sort(),
      );
    } finally {
      watching = false;
      await watcher;
      s.close();
    }
    for (const owner of owners) {
      // A key authorization digest: 43 characters of base64url (RFC 8555 §8.4).
      expect([...seen.get(owner)!], owner).toEqual([expect.stringMatching(/^[A-Za-z0-9_-]{43}$/)]);
      expect(await kdigTxt(owner), `${owner} after the order`).toEqual([]);
    }
    // The zone took the signed updates (knotd may fold updates that arrive together into one serial, so
    // the count of serials is no count of updates; the records seen and gone above are what matters).
    expect(await reader.serial(ZONE)).toBeGreaterThan(serialBefore);
  });

  it('a wrong TSIG secret fails the order naming the zone, the refusal and the config field; the zone is unchanged', async () => {
    const wrong = randomBytes(32).toString('base64');
    const s = await services(wrong);
    const serialBefore = await new DirectDnsReader(knot.server).serial(ZONE);
    const err = await s
      .issue(await s.store.load('shop'), AbortSignal.timeout(60_000))
      .catch((e: unknown) => e)
      .finally(() => s.close());
    expect(err).toMatchObject({ code: ErrorCode.AcmeOrderFailed, stage: 'challenge', certificate: 'shop' });
    const message = (err as Error).message;
    expect(message).toMatch(/zone acme\.test\. at 127\.0\.0\.1:\d+/);
    expect(message).toMatch(/TSIG key was refused.*\(BADSIG\)/);
    expect(message).toContain(`check certificates.acme.solver.rfc2136.key (name marshal-acme., hmac-sha256`);
    expect(message).toContain(`environment variable ${SECRET_ENV}`);
    expect(message).not.toContain(wrong);
    expect(message).not.toContain(knot.key.secret);
    expect(await new DirectDnsReader(knot.server).serial(ZONE)).toBe(serialBefore);
  });

  it('a name outside the configured zone is refused naming the zone and the field', async () => {
    const s = await services(knot.key.secret);
    const err = await s
      .issue(await s.store.load('elsewhere'), AbortSignal.timeout(60_000))
      .catch((e: unknown) => e)
      .finally(() => s.close());
    expect(err).toMatchObject({ code: ErrorCode.AcmeOrderFailed, stage: 'challenge' });
    expect((err as Error).message).toMatch(
      /_acme-challenge\.www\.other\.test\. is not in the zone acme\.test\. that certificates\.acme\.solver\.rfc2136\.zone names/,
    );
  });

  it('a missing secret variable stops the services at start, naming the field and the variable', async () => {
    const err = await services(undefined).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.InvalidInput });
    expect((err as Error).message).toMatch(
      new RegExp(`certificates\\.acme\\.solver\\.rfc2136\\.key\\.secretEnv.*${SECRET_ENV} is not set`),
    );
  });
});
