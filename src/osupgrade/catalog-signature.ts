import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { formatPath } from '../errors/index.js';
import { canonicalJson } from './canonical-json.js';
import { Catalog, SignedCatalogFile } from './catalog-schema.js';
import { CatalogRefused } from './errors/catalog-refused.js';

/** An Ed25519 key from PEM (SPKI public or PKCS#8 private), refused with a clear error otherwise. */
function ed25519Key(pem: string, kind: 'public' | 'private', source: string): KeyObject {
  let key: KeyObject;
  try {
    key = kind === 'public' ? createPublicKey(pem) : createPrivateKey(pem);
  } catch (err) {
    throw new CatalogRefused(
      source,
      `the ${kind} key is not a PEM key`,
      kind === 'public'
        ? 'Put the catalog signing key (PEM, "-----BEGIN PUBLIC KEY-----") in workflowSettings.os-upgrade.publicKey'
        : 'Give the PEM private key that `marshal catalog keygen` wrote',
      { cause: err },
    );
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new CatalogRefused(
      source,
      `the ${kind} key is ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519`,
      'Catalogs are signed with Ed25519 keys (`marshal catalog keygen`)',
    );
  return key;
}

/** Signs a catalog document (YAML text with a `catalog:` key, or a bare catalog), returning the signed YAML. */
export function signCatalog(text: string, privateKeyPem: string, source = 'catalog'): string {
  const document = readYaml(text, source) as Record<string, unknown> | null;
  const body =
    document && typeof document === 'object' && 'catalog' in document ? document.catalog : document;
  const catalog = checkCatalog(body, source);
  const key = ed25519Key(privateKeyPem, 'private', source);
  const value = sign(null, Buffer.from(canonicalJson(catalog)), key).toString('base64');
  return toYaml({ catalog, signature: { algorithm: 'ed25519', value } }, { lineWidth: 0 });
}

/**
 * Reads a signed catalog: the signature must verify with `publicKeyPem` over the catalog's canonical
 * JSON, or nothing of it is used. An unsigned, tampered or differently signed catalog is refused.
 */
export function verifyCatalog(text: string, publicKeyPem: string, source: string): Catalog {
  const file = SignedCatalogFile.safeParse(readYaml(text, source));
  if (!file.success)
    throw new CatalogRefused(
      source,
      file.error.issues.map((i) => `${formatPath(i.path) || '(top level)'}: ${i.message}`).join('; '),
      'A catalog file has `catalog:` and `signature:` (sign it with `marshal catalog sign`)',
    );
  if (!file.data.signature)
    throw new CatalogRefused(
      source,
      'it is not signed',
      'Sign it with `marshal catalog sign <file> --key <private key>`',
    );
  const key = ed25519Key(publicKeyPem, 'public', source);
  const signed = Buffer.from(canonicalJson(file.data.catalog));
  if (!verify(null, signed, key, Buffer.from(file.data.signature.value, 'base64')))
    throw new CatalogRefused(
      source,
      'its signature does not match its content (changed after signing, or signed with another key)',
      'Have the release team sign the catalog again with the key whose public half is in Marshal’s config',
    );
  return checkCatalog(file.data.catalog, source);
}

function checkCatalog(body: unknown, source: string): Catalog {
  const parsed = Catalog.safeParse(body);
  if (!parsed.success)
    throw new CatalogRefused(
      source,
      parsed.error.issues.map((i) => `catalog.${formatPath(i.path)}: ${i.message}`).join('; '),
      'Fix the catalog (docs/os-upgrade.md shows its shape) and sign it again',
    );
  return parsed.data;
}

function readYaml(text: string, source: string): unknown {
  try {
    return parseYaml(text);
  } catch (err) {
    throw new CatalogRefused(
      source,
      `it is not YAML (${err instanceof Error ? (err.message.split('\n')[0] ?? '') : ''})`,
      'Fix the file',
      { cause: err },
    );
  }
}
