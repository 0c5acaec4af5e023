import { ErrorCode, MarshalError } from '../../errors/index.js';

/** The rules a new certificate must pass before any host is touched (see validateCertificate). */
export const CertificateRule = {
  /** A PEM text that holds no certificate or key Marshal can read. */
  Unreadable: 'unreadable',
  Expired: 'expired',
  NotYetValid: 'not-yet-valid',
  /** The chain ends at a CA the trust store does not hold, or a signature does not verify. */
  Untrusted: 'untrusted',
  /** An intermediate between the leaf and a trusted root is missing. */
  ChainIncomplete: 'chain-incomplete',
  /** Every certificate needed is there, but not each followed by its issuer (or one is not on the path). */
  ChainOrder: 'chain-order',
  /** The subjectAltNames are not exactly the declared domains. */
  SanMismatch: 'san-mismatch',
  KeyMismatch: 'key-mismatch',
  /** RSA under 2048 bits, or a key type Marshal does not accept. */
  WeakKey: 'weak-key',
  /** A strong key, but not the type the definition declares. */
  KeyType: 'key-type',
  /** Signed with SHA-1 (or MD5). */
  WeakSignature: 'weak-signature',
  LeafIsCa: 'leaf-is-ca',
  NoServerAuth: 'no-server-auth',
} as const;
export type CertificateRule = (typeof CertificateRule)[keyof typeof CertificateRule];

export interface RuleViolation {
  rule: CertificateRule;
  /** What was found and what is required, for the operator. Never key material. */
  message: string;
}

/** A new certificate broke one or more rules; nothing was deployed. Never retryable: the same files fail again. */
export class CertificateRejectedError extends MarshalError {
  override name = 'CertificateRejectedError';
  readonly certificate: string;
  readonly violations: readonly RuleViolation[];

  constructor(certificate: string, violations: RuleViolation[]) {
    super(
      ErrorCode.CertificateRejected,
      `Certificate "${certificate}" rejected: ${violations.map((v) => `[${v.rule}] ${v.message}`).join('; ')}`,
      { retryable: false, context: { certificate, violations } },
    );
    this.certificate = certificate;
    this.violations = violations;
  }

  get rules(): CertificateRule[] {
    return this.violations.map((v) => v.rule);
  }
}
