import { cp, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryCertificateStore } from '../../../src/certificates/definition-store.js';
import { validateCertificate } from '../../../src/certificates/validation/validate-certificate.js';
import { ErrorCode, ValidationError } from '../../../src/errors/index.js';
import { TestCa } from '../../../src/local/acme/test-ca.js';

const exampleDir = new URL('../../../examples/certificates/www-example/', import.meta.url).pathname;
const options = { allowedRoots: ['/etc/ssl/marshal'] };

describe('DirectoryCertificateStore', () => {
  let root: string;
  let store: DirectoryCertificateStore;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'marshal-certificates-'));
    await cp(exampleDir, join(root, 'www-example'), { recursive: true });
    const text = await readFile(join(exampleDir, 'certificate.yaml'), 'utf8');
    await mkdir(join(root, 'internal-api'));
    await writeFile(
      join(root, 'internal-api', 'certificate.yaml'),
      text
        .replace('name: www-example', 'name: internal-api')
        .replace(
          /issuer:\n( {2}.*\n)+/,
          'issuer: { type: provided, certificate: cert.pem, key: key.pem, chain: chain.pem }\n',
        ),
    );
    await writeFile(join(root, 'internal-api', 'cert.pem'), 'CERT');
    await writeFile(join(root, 'internal-api', 'key.pem'), 'KEY');
    await mkdir(join(root, 'Not A Certificate'));
    store = new DirectoryCertificateStore(root, options);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists every declared certificate and loads one, validated', async () => {
    expect(await store.names()).toEqual(['internal-api', 'www-example']);
    const def = await store.load('www-example');
    expect(def.name).toBe('www-example');
  });

  it('refuses a name that would leave the directory, before reading anything', async () => {
    const err = await store.load('../etc').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe(ErrorCode.InvalidCertificateDefinition);
  });

  it('says which certificate does not exist', async () => {
    const err = await store.load('nope').catch((e: unknown) => e);
    expect((err as ValidationError).message).toContain(join(root, 'nope', 'certificate.yaml'));
  });

  it("reads a provided certificate's files, and names the one that is missing", async () => {
    const def = await store.load('internal-api');
    const err = await store.readProvided(def).catch((e: unknown) => e);
    expect((err as ValidationError).issues).toEqual([
      { path: 'issuer.chain', message: `${join(root, 'internal-api', 'chain.pem')} does not exist` },
    ]);
    await writeFile(join(root, 'internal-api', 'chain.pem'), 'CHAIN');
    expect(await store.readProvided(def)).toEqual({
      certificatePem: 'CERT',
      keyPem: 'KEY',
      chainPem: 'CHAIN',
    });
  });

  it('a provided certificate read from its files passes validation against the team CA', async () => {
    const teamRoot = TestCa.root('Team PKI Root');
    const intermediate = teamRoot.intermediate('Team PKI Intermediate');
    const def = await store.load('internal-api');
    const leaf = intermediate.issue({ commonName: def.domains[0]!, dnsNames: def.domains, keyBits: 2048 });
    await writeFile(join(root, 'internal-api', 'cert.pem'), leaf.certPem);
    await writeFile(join(root, 'internal-api', 'key.pem'), leaf.keyPem, { mode: 0o600 });
    await writeFile(join(root, 'internal-api', 'chain.pem'), intermediate.certPem);
    const valid = validateCertificate(def.name, await store.readProvided(def), {
      domains: def.domains,
      trustStore: [teamRoot.certPem],
    });
    expect(valid.dnsNames).toEqual(def.domains);
    expect(valid.issuer).toBe('CN=Team PKI Intermediate');
  });
});
