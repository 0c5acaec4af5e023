import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

/**
 * A certificate authority of the tests' (and the local run's) own, made with node-forge: roots,
 * intermediates and leaves with exactly the properties a test needs — expired, SHA-1-signed, CA:TRUE,
 * without serverAuth, an RSA 1024 key — so every validation rule can be shown to catch its case.
 * Only for loopback use: its keys are throwaway and nothing outside the tests trusts it.
 */

const pki = forge.pki;
const DAY = 86_400_000;

export interface IssueOptions {
  commonName: string;
  /** subjectAltName DNS entries. */
  dnsNames?: string[];
  /** subjectAltName IP entries (e.g. 127.0.0.1 for a loopback server). */
  ipAddresses?: string[];
  notBefore?: Date;
  notAfter?: Date;
  /** basicConstraints cA; true for intermediates. */
  isCa?: boolean;
  /** extKeyUsage; `null` leaves the extension out. Default: serverAuth for leaves, none for CAs. */
  extKeyUsage?: { serverAuth?: boolean; clientAuth?: boolean } | null;
  /** Default sha256. */
  digest?: 'sha256' | 'sha1';
  /** RSA modulus length of the new key. Default 2048. */
  keyBits?: number;
}

export interface TestCertificate {
  certPem: string;
  keyPem: string;
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

export class TestCa implements TestCertificate {
  private constructor(
    readonly certPem: string,
    readonly keyPem: string,
    readonly cert: forge.pki.Certificate,
    readonly key: forge.pki.rsa.PrivateKey,
  ) {}

  /** A self-signed root. */
  static root(
    commonName = 'Marshal Test Root',
    options: Omit<IssueOptions, 'commonName' | 'isCa'> = {},
  ): TestCa {
    const issued = build({ ...options, commonName, isCa: true }, undefined);
    return new TestCa(issued.certPem, issued.keyPem, issued.cert, issued.key);
  }

  /** An intermediate CA signed by this one. */
  intermediate(commonName: string, options: Omit<IssueOptions, 'commonName' | 'isCa'> = {}): TestCa {
    const issued = build({ ...options, commonName, isCa: true }, this);
    return new TestCa(issued.certPem, issued.keyPem, issued.cert, issued.key);
  }

  /** A certificate signed by this CA (a server leaf unless `isCa`). */
  issue(options: IssueOptions): TestCertificate {
    return build(options, this);
  }

  /**
   * A server leaf with an ECDSA key, signed by this CA. forge handles only RSA subject keys, so openssl
   * (always on Debian) signs this one.
   */
  issueEcdsa(options: { commonName: string; dnsNames: string[]; curve: 'P-256' | 'P-384' }): {
    certPem: string;
    keyPem: string;
  } {
    const dir = mkdtempSync(join(tmpdir(), 'marshal-test-ca-'));
    try {
      const { privateKey } = generateKeyPairSync('ec', {
        namedCurve: options.curve,
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      });
      const file = (name: string, text?: string): string => {
        const path = join(dir, name);
        if (text !== undefined) writeFileSync(path, text, { mode: 0o600 });
        return path;
      };
      file('leaf.key', privateKey);
      file('ca.pem', this.certPem);
      file('ca.key', this.keyPem);
      file(
        'ext.cnf',
        [
          'basicConstraints=critical,CA:FALSE',
          'keyUsage=critical,digitalSignature',
          'extendedKeyUsage=serverAuth',
          `subjectAltName=${options.dnsNames.map((d) => `DNS:${d}`).join(',')}`,
        ].join('\n') + '\n',
      );
      const openssl = (args: string[]): void => {
        const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
        if (run.status !== 0) throw new Error(`openssl ${args[0]} failed: ${run.stderr}`);
      };
      openssl(['req', '-new', '-key', 'leaf.key', '-subj', `/CN=${options.commonName}`, '-out', 'leaf.csr']);
      openssl([
        'x509',
        '-req',
        '-in',
        'leaf.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '30',
        '-sha256',
        '-extfile',
        'ext.cnf',
        '-out',
        'leaf.pem',
      ]);
      return { certPem: readFileSync(file('leaf.pem'), 'utf8'), keyPem: privateKey };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function rsaKeyPair(bits: number): {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  pem: string;
} {
  // Node generates the key (fast, native); forge signs with it.
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = pki.privateKeyFromPem(privateKey);
  return { privateKey: key, publicKey: pki.setRsaPublicKey(key.n, key.e), pem: privateKey };
}

function build(options: IssueOptions, issuer: TestCa | undefined): TestCertificate {
  const keys = rsaKeyPair(options.keyBits ?? 2048);
  const cert = pki.createCertificate();
  cert.publicKey = keys.publicKey;
  // A positive serial: the high bit clear so DER does not read it as negative.
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = options.notBefore ?? new Date(now - DAY);
  cert.validity.notAfter = options.notAfter ?? new Date(now + 90 * DAY);
  const subject = [{ name: 'commonName', value: options.commonName }];
  cert.setSubject(subject);
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : subject);

  const isCa = options.isCa ?? false;
  const extensions: object[] = [
    { name: 'basicConstraints', cA: isCa, critical: true },
    isCa
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  const eku = options.extKeyUsage === undefined ? (isCa ? null : { serverAuth: true }) : options.extKeyUsage;
  if (eku) extensions.push({ name: 'extKeyUsage', ...eku });
  const altNames = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(options.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  if (issuer)
    extensions.push({
      name: 'authorityKeyIdentifier',
      keyIdentifier: issuer.cert.generateSubjectKeyIdentifier().getBytes(),
    });
  cert.setExtensions(extensions);
  const signer = issuer ? issuer.key : keys.privateKey;
  cert.sign(signer, options.digest === 'sha1' ? forge.md.sha1.create() : forge.md.sha256.create());
  return { certPem: pki.certificateToPem(cert), keyPem: keys.pem, cert, key: keys.privateKey };
}
