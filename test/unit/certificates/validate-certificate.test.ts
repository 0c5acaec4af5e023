import { describe, expect, it } from 'vitest';
import {
  CertificateRejectedError,
  type CertificateRule,
} from '../../../src/certificates/errors/certificate-rejected-error.js';
import { pemBodies } from '../../../src/certificates/validation/pem.js';
import {
  validateCertificate,
  type CertificateCandidate,
  type ValidationPolicy,
} from '../../../src/certificates/validation/validate-certificate.js';
import { ErrorCode } from '../../../src/errors/index.js';
import { TestCa } from '../../../src/local/acme/test-ca.js';
import { thrownBy } from '../../support/refusal.js';

const DAY = 86_400_000;
const domains = ['www.example.test', 'example.test'];
const root = TestCa.root('Marshal Test Root');
const intermediate = root.intermediate('Marshal Test Intermediate');
const policy: ValidationPolicy = { domains, trustStore: [root.certPem], keyType: 'rsa-2048' };
const good = intermediate.issue({ commonName: 'www.example.test', dnsNames: domains });
const goodCandidate: CertificateCandidate = {
  certificatePem: good.certPem,
  chainPem: intermediate.certPem,
  keyPem: good.keyPem,
};

const rejection = (candidate: CertificateCandidate, p: ValidationPolicy = policy): CertificateRejectedError =>
  thrownBy(CertificateRejectedError, () => validateCertificate('www', candidate, p));

const leafWith = (options: Partial<Parameters<TestCa['issue']>[0]>): CertificateCandidate => {
  const leaf = intermediate.issue({ commonName: 'www.example.test', dnsNames: domains, ...options });
  return { certificatePem: leaf.certPem, chainPem: intermediate.certPem, keyPem: leaf.keyPem };
};

describe('validateCertificate accepts', () => {
  it('a good leaf with its intermediate, and says what it is', () => {
    const valid = validateCertificate('www', goodCandidate, policy);
    expect(valid.certificate).toBe('www');
    expect(valid.dnsNames).toEqual(domains);
    expect(valid.keyType).toBe('rsa-2048');
    expect(valid.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(valid.issuer).toContain('Marshal Test Intermediate');
    expect(new Date(valid.notAfter).getTime()).toBeGreaterThan(Date.now());
    expect(valid.chainPem).toBe(intermediate.certPem.replace(/\r/g, ''));
    expect(valid.fullChainPem.startsWith(valid.leafPem)).toBe(true);
  });

  it('a full-chain file (leaf then intermediate) and a chain file that ends with the root itself', () => {
    expect(() =>
      validateCertificate(
        'www',
        { certificatePem: good.certPem + intermediate.certPem, keyPem: good.keyPem },
        policy,
      ),
    ).not.toThrow();
    const withRoot = validateCertificate(
      'www',
      { ...goodCandidate, chainPem: intermediate.certPem + root.certPem },
      policy,
    );
    expect(withRoot.chainPem).not.toContain(pemBodies(root.certPem)[0]);
  });

  it('an ECDSA P-256 leaf (beyond node-forge: Node verifies the EC chain)', () => {
    const ec = intermediate.issueEcdsa({ commonName: 'www.example.test', dnsNames: domains, curve: 'P-256' });
    const valid = validateCertificate(
      'www',
      { certificatePem: ec.certPem, chainPem: intermediate.certPem, keyPem: ec.keyPem },
      { ...policy, keyType: 'ecdsa-p256' },
    );
    expect(valid.keyType).toBe('ecdsa-p256');
    expect(valid.dnsNames).toEqual(domains);
  });
});

describe('validateCertificate refuses, naming the certificate and the rule', () => {
  const otherRoot = TestCa.root('Someone Else Root');
  const otherIntermediate = otherRoot.intermediate('Someone Else Intermediate');
  const forgedRoot = TestCa.root('Marshal Test Root'); // same name as the trusted root, another key
  const second = intermediate.intermediate('Marshal Test Intermediate 2');
  const deepLeaf = second.issue({ commonName: 'www.example.test', dnsNames: domains });
  const rogueLeaf = otherIntermediate.issue({ commonName: 'www.example.test', dnsNames: domains });
  const forgedLeaf = forgedRoot.issue({ commonName: 'www.example.test', dnsNames: domains });
  const unrelated = root.issue({
    commonName: 'unrelated.example.test',
    dnsNames: ['unrelated.example.test'],
  });
  const ec = intermediate.issueEcdsa({ commonName: 'www.example.test', dnsNames: domains, curve: 'P-256' });

  const matrix: [string, () => CertificateCandidate, CertificateRule, ValidationPolicy?][] = [
    [
      'expired',
      () => leafWith({ notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) }),
      'expired',
    ],
    ['not yet valid', () => leafWith({ notBefore: new Date(Date.now() + DAY) }), 'not-yet-valid'],
    ['a SAN missing a declared domain', () => leafWith({ dnsNames: ['www.example.test'] }), 'san-mismatch'],
    [
      'a SAN carrying an extra name',
      () => leafWith({ dnsNames: [...domains, 'api.example.test'] }),
      'san-mismatch',
    ],
    ['an IP SAN nobody declared', () => leafWith({ ipAddresses: ['127.0.0.1'] }), 'san-mismatch'],
    [
      'a chain ending at a root the trust store does not hold',
      () => ({
        certificatePem: rogueLeaf.certPem,
        chainPem: otherIntermediate.certPem + otherRoot.certPem,
        keyPem: rogueLeaf.keyPem,
      }),
      'untrusted',
    ],
    [
      'an issuer named like the trusted root but signed by another key',
      () => ({ certificatePem: forgedLeaf.certPem, keyPem: forgedLeaf.keyPem }),
      'untrusted',
    ],
    [
      'no intermediate at all',
      () => ({ certificatePem: good.certPem, keyPem: good.keyPem }),
      'chain-incomplete',
    ],
    [
      'a chain missing its middle intermediate',
      () => ({ certificatePem: deepLeaf.certPem, chainPem: intermediate.certPem, keyPem: deepLeaf.keyPem }),
      'chain-incomplete',
    ],
    [
      'a complete chain out of order',
      () => ({
        certificatePem: deepLeaf.certPem,
        chainPem: intermediate.certPem + second.certPem,
        keyPem: deepLeaf.keyPem,
      }),
      'chain-order',
    ],
    [
      'a chain carrying a certificate not on the path',
      () => ({
        certificatePem: good.certPem,
        chainPem: unrelated.certPem + intermediate.certPem,
        keyPem: good.keyPem,
      }),
      'chain-order',
    ],
    ['a key of another certificate', () => ({ ...goodCandidate, keyPem: unrelated.keyPem }), 'key-mismatch'],
    [
      'an EC leaf with another EC key',
      () => ({
        certificatePem: ec.certPem,
        chainPem: intermediate.certPem,
        keyPem: intermediate.issueEcdsa({
          commonName: 'x.example.test',
          dnsNames: ['x.example.test'],
          curve: 'P-256',
        }).keyPem,
      }),
      'key-mismatch',
      { ...policy, keyType: 'ecdsa-p256' },
    ],
    ['an RSA 1024 key', () => leafWith({ keyBits: 1024 }), 'weak-key'],
    ['a key of another type than declared', () => leafWith({ keyBits: 3072 }), 'key-type'],
    ['a SHA-1 signature', () => leafWith({ digest: 'sha1' }), 'weak-signature'],
    ['a CA:TRUE leaf', () => leafWith({ isCa: true, extKeyUsage: { serverAuth: true } }), 'leaf-is-ca'],
    [
      'an extendedKeyUsage without serverAuth',
      () => leafWith({ extKeyUsage: { clientAuth: true } }),
      'no-server-auth',
    ],
    ['no extendedKeyUsage at all', () => leafWith({ extKeyUsage: null }), 'no-server-auth'],
    [
      'a certificate file that is not PEM',
      () => ({ ...goodCandidate, certificatePem: 'hello' }),
      'unreadable',
    ],
    [
      'a PEM block that is not a certificate',
      () => ({
        ...goodCandidate,
        certificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      }),
      'unreadable',
    ],
    ['a key file without a key', () => ({ ...goodCandidate, keyPem: good.certPem }), 'unreadable'],
    ['an empty trust store', () => goodCandidate, 'unreadable', { ...policy, trustStore: [] }],
  ];

  it.each(matrix)('%s', (_what, candidate, rule, p) => {
    const err = rejection(candidate(), p ?? policy);
    expect(err.rules).toEqual([rule]);
    expect(err.code).toBe(ErrorCode.CertificateRejected);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('Certificate "www" rejected');
    expect(err.message).toContain(`[${rule}]`);
    expect(err.context).toMatchObject({ certificate: 'www' });
  });

  it('reports every broken rule at once', () => {
    const err = rejection(
      leafWith({
        digest: 'sha1',
        keyBits: 1024,
        dnsNames: ['www.example.test'],
        notAfter: new Date(Date.now() - DAY),
        notBefore: new Date(Date.now() - 2 * DAY),
      }),
    );
    expect(new Set(err.rules)).toEqual(new Set(['expired', 'weak-signature', 'san-mismatch', 'weak-key']));
  });

  it('checks the intermediates too: an expired or SHA-1 intermediate is named', () => {
    const oldIntermediate = root.intermediate('Old Intermediate', { digest: 'sha1' });
    const leaf = oldIntermediate.issue({ commonName: 'www.example.test', dnsNames: domains });
    const err = rejection({
      certificatePem: leaf.certPem,
      chainPem: oldIntermediate.certPem,
      keyPem: leaf.keyPem,
    });
    expect(err.rules).toEqual(['weak-signature']);
    expect(err.message).toContain('chain certificate "Old Intermediate"');
  });

  it('names the missing SANs and the extra ones', () => {
    const err = rejection(leafWith({ dnsNames: ['www.example.test', 'api.example.test'] }));
    expect(err.violations[0]!.message).toContain('missing example.test');
    expect(err.violations[0]!.message).toContain('not declared api.example.test');
  });

  it('never carries the private key in the error', () => {
    const err = rejection({ ...goodCandidate, keyPem: unrelated.keyPem });
    const body = pemBodies(unrelated.keyPem)[0]!;
    expect(JSON.stringify(err.toJSON())).not.toContain(body.slice(0, 40));
    expect(err.message).not.toContain(body.slice(0, 40));
  });
});
