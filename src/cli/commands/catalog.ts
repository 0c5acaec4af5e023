import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { signCatalog, verifyCatalog } from '../../osupgrade/index.js';

type Out = (line: string) => void;

/**
 * `marshal catalog keygen <prefix>`: an Ed25519 key pair for signing release catalogs. The private key
 * (`<prefix>.key`, mode 0600) stays with the release team; the public key (`<prefix>.pub`) goes into
 * Marshal's config (workflowSettings.os-upgrade.publicKey). Existing files are never overwritten.
 */
export function catalogKeygen(prefix: string, out: Out): void {
  const privatePath = `${prefix}.key`;
  const publicPath = `${prefix}.pub`;
  for (const p of [privatePath, publicPath])
    if (existsSync(p)) throw new Error(`${p} exists; choose another prefix (keys are never overwritten)`);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  writeFileSync(privatePath, privateKey, { mode: 0o600 });
  writeFileSync(publicPath, publicKey);
  out(`private key: ${privatePath} (keep it with the release team; never in Marshal's config)`);
  out(`public key:  ${publicPath} (put its text in workflowSettings.os-upgrade.publicKey)`);
}

/** `marshal catalog sign <file> --key <private key> [--out <file>]`: checks the catalog and signs it. */
export function catalogSign(file: string, options: { key: string; out?: string }, out: Out): void {
  const signed = signCatalog(readFileSync(file, 'utf8'), readFileSync(options.key, 'utf8'), file);
  const target = options.out ?? file;
  writeFileSync(target, signed);
  out(`signed ${file} → ${target}`);
}

/** `marshal catalog verify <file> --public-key <pem file>`: what Marshal would accept, release by release. */
export function catalogVerify(file: string, options: { publicKey: string }, out: Out): void {
  const catalog = verifyCatalog(readFileSync(file, 'utf8'), readFileSync(options.publicKey, 'utf8'), file);
  out(`${file}: signature valid, ${catalog.releases.length} release(s)`);
  for (const r of catalog.releases) {
    const state = r.revoked
      ? `revoked by ${r.revoked.by}: ${r.revoked.reason}`
      : r.certification
        ? `certified by ${r.certification.by} at ${r.certification.at} (${r.certification.checks.join(', ')})`
        : 'not certified';
    out(`  ${r.name} (version ${r.version}): ${state}`);
  }
}
