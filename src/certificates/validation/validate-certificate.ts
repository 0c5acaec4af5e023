import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { summarizeCertificate, validityDate, type CertificateSummary } from '../certificate-summary.js';
import type { KeyType } from '../definition.js';
import {
  CertificateRejectedError,
  CertificateRule,
  type RuleViolation,
} from '../errors/certificate-rejected-error.js';
import { checkChain } from './chain.js';
import { readDerFields, WEAK_SIGNATURE_ALGORITHMS } from './der-fields.js';
import { splitPemCertificates } from './pem.js';

/** A new certificate as issued (ACME's full chain) or provided (a team's files). */
export interface CertificateCandidate {
  /** The leaf first; intermediates may follow (a "full chain" file). */
  certificatePem: string;
  /** Further intermediates, when kept in their own file. */
  chainPem?: string;
  /** The private key. Read here only to check it matches; never copied into the result or an error. */
  keyPem: string;
}

export interface ValidationPolicy {
  /** The definition's domains: the SANs must be exactly these. */
  domains: readonly string[];
  /** The definition's key type; omitted, any strong key passes. */
  keyType?: KeyType;
  /** PEM text(s) of the roots (or intermediates) the chain must lead to. */
  trustStore: readonly string[];
  now?: Date;
}

/** A certificate that passed every rule: what the workflow deploys and records. */
export interface ValidatedCertificate extends CertificateSummary {
  certificate: string;
  keyType: KeyType;
  /** The leaf, as one PEM block. */
  leafPem: string;
  /** The intermediates in serving order (leaf's issuer first), root excluded. */
  chainPem: string;
  /** Leaf then intermediates: what a server such as nginx is given as its certificate file. */
  fullChainPem: string;
}

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ACCEPTED_CURVES: Readonly<Record<string, KeyType>> = {
  prime256v1: 'ecdsa-p256',
  secp384r1: 'ecdsa-p384',
};

/**
 * Checks a new certificate against every rule before any host is touched, and reports every rule it
 * breaks at once (a `CertificateRejectedError` naming the certificate and each rule). Rules: validity
 * period, chain to the trust store (complete, in order), SANs exactly the declared domains, key matches,
 * key strength and type, no SHA-1/MD5 signature, leaf not a CA, serverAuth usage.
 */
export function validateCertificate(
  name: string,
  candidate: CertificateCandidate,
  policy: ValidationPolicy,
): ValidatedCertificate {
  const unreadable = (message: string): never => {
    throw new CertificateRejectedError(name, [{ rule: CertificateRule.Unreadable, message }]);
  };
  const leafBlocks = splitPemCertificates(candidate.certificatePem);
  if (leafBlocks.length === 0) unreadable('the certificate file holds no PEM certificate');
  const blocks = [...leafBlocks, ...splitPemCertificates(candidate.chainPem ?? '')];
  const certs = blocks.map(
    (pem, i) =>
      parseCertificate(pem) ??
      unreadable(`certificate #${i + 1} of the files is not a valid X.509 certificate`),
  );
  const anchors = policy.trustStore
    .flatMap(splitPemCertificates)
    .map((pem) => parseCertificate(pem))
    .filter((c) => c !== undefined);
  if (anchors.length === 0) unreadable('the trust store holds no certificate: nothing could be trusted');
  let key: KeyObject;
  try {
    key = createPrivateKey(candidate.keyPem);
  } catch {
    return unreadable('the key file holds no private key Marshal can read');
  }
  const [leaf, ...chain] = certs as [X509Certificate, ...X509Certificate[]];
  const violations: RuleViolation[] = [];
  const now = policy.now ?? new Date();

  for (const [i, cert] of certs.entries()) {
    const what = i === 0 ? 'the certificate' : `chain certificate "${subjectCn(cert)}"`;
    const notAfter = validityDate(cert.validTo);
    const notBefore = validityDate(cert.validFrom);
    if (notAfter <= now)
      violations.push({
        rule: CertificateRule.Expired,
        message: `${what} expired at ${notAfter.toISOString()}`,
      });
    if (notBefore > now)
      violations.push({
        rule: CertificateRule.NotYetValid,
        message: `${what} is not valid before ${notBefore.toISOString()}`,
      });
    const oid = readDerFields(cert.raw).signatureAlgorithmOid;
    const weak = WEAK_SIGNATURE_ALGORITHMS[oid];
    if (weak)
      violations.push({ rule: CertificateRule.WeakSignature, message: `${what} is signed with ${weak}` });
  }

  const chainProblem = checkChain(leaf, chain, anchors);
  if (chainProblem) violations.push(chainProblem);

  const summary = summarizeCertificate(leaf);
  const declared = new Set(policy.domains.map((d) => d.toLowerCase()));
  const present = new Set(summary.dnsNames.map((d) => d.toLowerCase()));
  const missing = [...declared].filter((d) => !present.has(d));
  const extra = [...present]
    .filter((d) => !declared.has(d))
    .concat(summary.ipAddresses.map((ip) => `IP ${ip}`));
  if (missing.length > 0 || extra.length > 0)
    violations.push({
      rule: CertificateRule.SanMismatch,
      message:
        [
          missing.length > 0 ? `missing ${missing.join(', ')}` : '',
          extra.length > 0 ? `not declared ${extra.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ') + ` (declared: ${[...declared].join(', ')})`,
    });

  if (!leaf.checkPrivateKey(key))
    violations.push({
      rule: CertificateRule.KeyMismatch,
      message: "the private key does not belong to the certificate's public key",
    });

  const keyType = keyTypeOf(leaf.publicKey);
  if (typeof keyType !== 'string')
    violations.push({ rule: CertificateRule.WeakKey, message: keyType.problem });
  else if (policy.keyType && keyType !== policy.keyType)
    violations.push({
      rule: CertificateRule.KeyType,
      message: `the key is ${keyType}; the definition declares ${policy.keyType}`,
    });

  if (leaf.ca)
    violations.push({
      rule: CertificateRule.LeafIsCa,
      message: 'the certificate is a CA (basicConstraints CA:TRUE); a server certificate must not be',
    });
  const usages = leaf.keyUsage;
  if (!usages?.includes(SERVER_AUTH))
    violations.push({
      rule: CertificateRule.NoServerAuth,
      message: usages
        ? 'extendedKeyUsage does not include serverAuth (TLS Web Server Authentication)'
        : 'the certificate has no extendedKeyUsage; serverAuth is required',
    });

  if (violations.length > 0) throw new CertificateRejectedError(name, violations);
  const leafPem = blocks[0]!;
  const chainPem = blocks
    .slice(1)
    .filter((_, i) => !chain[i]!.checkIssued(chain[i]!))
    .join('');
  return {
    ...summary,
    certificate: name,
    keyType: keyType as KeyType,
    leafPem,
    chainPem,
    fullChainPem: leafPem + chainPem,
  };
}

function parseCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function keyTypeOf(key: KeyObject): KeyType | { problem: string } {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits < 2048) return { problem: `the RSA key has ${bits} bits; at least 2048 are required` };
    if (bits === 2048 || bits === 3072 || bits === 4096) return `rsa-${bits}`;
    return { problem: `the RSA key has ${bits} bits; accepted: 2048, 3072, 4096` };
  }
  if (key.asymmetricKeyType === 'ec') {
    const accepted = ACCEPTED_CURVES[details.namedCurve ?? ''];
    return (
      accepted ?? {
        problem: `the EC key is on curve ${details.namedCurve ?? 'unknown'}; accepted: P-256, P-384`,
      }
    );
  }
  return {
    problem: `the key type ${key.asymmetricKeyType ?? 'unknown'} is not accepted (RSA or ECDSA P-256/P-384)`,
  };
}

function subjectCn(cert: X509Certificate): string {
  return /CN=([^\n]*)/.exec(cert.subject)?.[1] ?? cert.subject;
}
