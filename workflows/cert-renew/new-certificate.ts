import type { CertificateServices } from '../../src/certificates/certificate-services.js';
import type { CertificateDefinition } from '../../src/certificates/definition.js';
import { validateCertificate } from '../../src/certificates/validation/validate-certificate.js';
import { keyPurpose, type NewCertificate } from './renewal-plan.js';

/**
 * The new certificate, before any host is touched: issued through ACME (or the team's provided files
 * read), then held to every validation rule against the configured trust store. The key leaves this
 * function only sealed. A dry run of an ACME certificate orders nothing (an order is not free: CAs
 * rate-limit them) and returns undefined; provided files are validated in a dry run too.
 */
export async function obtainCertificate(
  certs: CertificateServices,
  definition: CertificateDefinition,
  run: { runId: string; dryRun: boolean; signal: AbortSignal },
): Promise<NewCertificate | undefined> {
  if (run.dryRun && definition.issuer.type === 'acme') return undefined;
  const pair =
    definition.issuer.type === 'acme'
      ? await certs.issue(definition, run.signal)
      : await certs.store.readProvided(definition);
  const valid = validateCertificate(definition.name, pair, {
    domains: definition.domains,
    keyType: definition.keyType,
    trustStore: certs.trustStore,
  });
  return {
    fingerprintSha256: valid.fingerprintSha256,
    serial: valid.serial,
    issuer: valid.issuer,
    notBefore: valid.notBefore,
    notAfter: valid.notAfter,
    dnsNames: valid.dnsNames,
    leafPem: valid.leafPem,
    chainPem: valid.chainPem,
    sealedKey: certs.seal(pair.keyPem, keyPurpose(definition.name, run.runId)),
  };
}
