import type { CertificateDefinition } from './definition.js';
import type { CertificateDefinitionStore } from './definition-store.js';
import type { ProbeEndpoint, ProbeOptions, ServedCertificate } from './probe/probe-served-certificate.js';

/** A new certificate and its key as they come from the issuer, before validation. The key is a secret. */
export interface IssuedPair {
  certificatePem: string;
  chainPem?: string;
  keyPem: string;
}

/** A message to the certificate team (SMTP in production: see src/notify/email). */
export interface TeamEmail {
  subject: string;
  text: string;
}

/**
 * What the certificate workflows (`cert-renew`, `cert-status`, `cert-radar`) are handed besides Marshal's
 * standard deps, put together from the `certificates:` section of Marshal's config (src/app). Interfaces
 * only: a workflow never opens a socket, an ACME client or an SMTP connection itself.
 */
export interface CertificateServices {
  /** The declared certificates, validated on every load. */
  readonly store: CertificateDefinitionStore;
  /** PEM roots a new certificate must chain to (the config's `certificates.trustStore`). */
  readonly trustStore: readonly string[];
  /** Issues a new certificate for an ACME definition (account, challenge, key, CSR, download). */
  issue(definition: CertificateDefinition, signal: AbortSignal): Promise<IssuedPair>;
  /** A real TLS handshake with SNI: what the endpoint serves now. */
  probe(endpoint: ProbeEndpoint, options?: ProbeOptions): Promise<ServedCertificate>;
  /** AES-256-GCM under MARSHAL_SECRET_KEY: a private key crosses Redis only sealed. */
  seal(plaintext: string, purpose: string): string;
  open(sealed: string, purpose: string): string;
  /** How long the previous certificate and key stay on a host after a successful renewal. */
  readonly keepPreviousMs: number;
  /** Mails the certificate team; absent when the config names no SMTP server. */
  readonly email?: { send(message: TeamEmail): Promise<void> };
  /**
   * Starts a renewal run (the radar's auto-renewal); it waits for a human approval like any other.
   * Returns the run id.
   */
  startRenewal(certificate: string, reason: string): Promise<string>;
}
