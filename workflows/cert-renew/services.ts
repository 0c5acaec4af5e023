import { ErrorCode, MarshalError, type MarshalDeps } from '../../src/authoring/index.js';
import type { CertificateServices } from '../../src/certificates/certificate-services.js';

/** The certificate services, or a clear refusal when Marshal's config has no `certificates:` section. */
export function certificateServices(deps: Pick<MarshalDeps, 'certificates'>): CertificateServices {
  if (!deps.certificates)
    throw new MarshalError(
      ErrorCode.InvalidConfig,
      "Marshal's config has no certificates section: add certificates.directory and certificates.trustStore (docs/certificates.md) and restart",
      { retryable: false },
    );
  return deps.certificates;
}
