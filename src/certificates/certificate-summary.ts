import type { X509Certificate } from 'node:crypto';
import { readDerFields } from './validation/der-fields.js';

/** What identifies a certificate to an operator and the audit: the same shape for a new and a served one. */
export interface CertificateSummary {
  /** SHA-256 of the DER, as uppercase hex pairs joined by ":" (Node's and openssl's format). */
  fingerprintSha256: string;
  /** Uppercase hex. */
  serial: string;
  subject: string;
  issuer: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  dnsNames: string[];
  ipAddresses: string[];
}

export function summarizeCertificate(cert: X509Certificate): CertificateSummary {
  const fields = readDerFields(cert.raw);
  return {
    fingerprintSha256: cert.fingerprint256,
    serial: cert.serialNumber.toUpperCase(),
    subject: oneLineName(cert.subject),
    issuer: oneLineName(cert.issuer),
    notBefore: validityDate(cert.validFrom).toISOString(),
    notAfter: validityDate(cert.validTo).toISOString(),
    dnsNames: fields.dnsNames,
    ipAddresses: fields.ipAddresses,
  };
}

/** Node 20 gives validity as openssl's text (`Jan  2 03:04:05 2030 GMT`), which Date reads. */
export function validityDate(text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new Error(`unreadable certificate date "${text}"`);
  return date;
}

/** Node's multi-line distinguished name (`CN=a\nO=b`) on one line. */
export function oneLineName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}
