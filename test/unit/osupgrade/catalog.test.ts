import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify as toYaml, parse as parseYaml } from 'yaml';
import {
  CatalogRefused,
  ReleaseRefused,
  canonicalJson,
  certifiedRelease,
  signCatalog,
  verifyCatalog,
} from '../../../src/osupgrade/index.js';

const keys = () =>
  generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
const { publicKey, privateKey } = keys();

const release = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  version: name.replace(/^debian-/, ''),
  image: { url: `http://images.example/${name}.img`, sha256: 'a'.repeat(64), sizeBytes: 1024 },
  certification: {
    by: 'release-team',
    at: '2026-11-20T10:00:00Z',
    checks: ['system-validation', 'sample-application', 'traffic-replay'],
  },
  ...extra,
});
const catalogText = (releases: unknown[]) => toYaml({ catalog: { releases } });

describe('the signed release catalog', () => {
  it('verifies what was signed, whatever the key order or indentation', () => {
    const signed = signCatalog(catalogText([release('debian-12.7')]), privateKey);
    const doc = parseYaml(signed) as { catalog: { releases: Record<string, unknown>[] } };
    // Re-serialised with keys in another order and other indentation: same content, same signature.
    const reordered = JSON.stringify(
      { signature: (doc as unknown as { signature: unknown }).signature, catalog: doc.catalog },
      null,
      7,
    );
    expect(verifyCatalog(reordered, publicKey, 'c.yaml').releases[0]!.name).toBe('debian-12.7');
  });

  it('refuses a catalog any value of which changed after signing', () => {
    const signed = signCatalog(catalogText([release('debian-12.7')]), privateKey);
    for (const [from, to] of [
      ['aaaaaaaa', 'aaaaaaab'],
      ['release-team', 'mallory'],
      ['debian-12.7.img', 'debian-13.img'],
    ] as const) {
      const tampered = signed.replace(from, to);
      expect(tampered).not.toBe(signed);
      expect(() => verifyCatalog(tampered, publicKey, 'c.yaml')).toThrow(
        /signature does not match its content/,
      );
    }
  });

  it('refuses an unsigned catalog, one signed with another key, and a key that is not Ed25519', () => {
    expect(() => verifyCatalog(catalogText([release('debian-12.7')]), publicKey, 'c.yaml')).toThrow(
      /it is not signed.*marshal catalog sign/,
    );
    const other = keys();
    const signedByOther = signCatalog(catalogText([release('debian-12.7')]), other.privateKey);
    expect(() => verifyCatalog(signedByOther, publicKey, 'c.yaml')).toThrow(CatalogRefused);
    const rsa = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    expect(() => signCatalog(catalogText([release('debian-12.7')]), rsa.privateKey)).toThrow(
      /the private key is rsa, not Ed25519/,
    );
  });

  it('refuses to sign a malformed catalog, naming the field', () => {
    const bad = release('debian-12.7', { image: { url: 'ftp:/x', sha256: 'xyz', sizeBytes: 1 } });
    expect(() => signCatalog(catalogText([bad]), privateKey)).toThrow(
      /catalog\.releases\[0\]\.image\.sha256/,
    );
    expect(() =>
      signCatalog(catalogText([release('debian-12.7'), release('debian-12.7')]), privateKey),
    ).toThrow(/debian-12\.7 is listed twice/);
  });

  it('canonical JSON does not depend on key order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(JSON.parse(canonicalJson(obj))).toEqual(JSON.parse(JSON.stringify(obj)));
      }),
    );
  });
});

describe('choosing a release', () => {
  const catalog = {
    releases: [
      release('debian-12.7'),
      release('debian-12.6', { revoked: { by: 'sec', at: '2026-11-21T08:00:00Z', reason: 'CVE-2026-1' } }),
      release('debian-12.8', { certification: undefined }),
      release('debian-12.9', {
        certification: { by: 'ci', at: '2026-11-20T10:00:00Z', checks: ['system-validation'] },
      }),
    ].map((r) => JSON.parse(JSON.stringify(r)) as never),
  };

  it('gives a certified release, refuses the others with the reason', () => {
    expect(certifiedRelease(catalog, 'debian-12.7').version).toBe('12.7');
    expect(() => certifiedRelease(catalog, 'debian-12.77')).toThrow(/closest: debian-12\.7/);
    expect(() => certifiedRelease(catalog, 'debian-12.6')).toThrow(/revoked by sec .*CVE-2026-1/);
    expect(() => certifiedRelease(catalog, 'debian-12.8')).toThrow(/is not certified/);
    expect(() => certifiedRelease(catalog, 'debian-12.9')).toThrow(
      /not certified for sample-application, traffic-replay/,
    );
    expect(() => certifiedRelease(catalog, 'debian-12.8')).toThrow(ReleaseRefused);
  });
});
