// Certificates: what the certificate-renewal workflow is built from. Pure logic, with I/O behind small
// interfaces (DnsChallengeSolver, HostExecutor) or in one function each (issue, probe, load).
export {
  CertificateDefinition,
  CertificateName,
  KeyType,
  ChallengeType,
  type CertificateIssuer,
  type DeployedFile,
} from './definition.js';
export {
  parseCertificateDefinition,
  DEFINITION_FILE,
  type CertificateDefinitionOptions,
} from './parse-definition.js';
export {
  DirectoryCertificateStore,
  type CertificateDefinitionStore,
  type ProvidedPems,
} from './definition-store.js';
export {
  validateCertificate,
  type CertificateCandidate,
  type ValidationPolicy,
  type ValidatedCertificate,
} from './validation/validate-certificate.js';
export { summarizeCertificate, type CertificateSummary } from './certificate-summary.js';
export {
  issueCertificate,
  type AcmeIssueRequest,
  type IssuedCertificate,
  type ChallengeSolver,
} from './acme/issue-certificate.js';
export type { HttpChallengeSolver } from './acme/http-challenge-solver.js';
export type { DnsChallengeSolver } from './acme/dns-challenge-solver.js';
export { generatePrivateKey, generateAccountKey } from './acme/generate-key.js';
export {
  probeServedCertificate,
  type ProbeEndpoint,
  type ProbeOptions,
  type ServedCertificate,
} from './probe/probe-served-certificate.js';
export { expiryVerdict, type ExpiryState, type ExpiryVerdict } from './radar/expiry.js';
export {
  servedStatus,
  type HostProbe,
  type ServedStatus,
  type FingerprintGroup,
} from './radar/served-status.js';
export { deploymentFiles, type DeployedRole } from './deployment-files.js';
export { SealedBox } from './secrets/sealed-box.js';
export {
  CertificateRejectedError,
  CertificateRule,
  type RuleViolation,
} from './errors/certificate-rejected-error.js';
export { AcmeOrderFailedError, type AcmeStage } from './errors/acme-order-failed-error.js';
export { TlsProbeError, type TlsProbeFailure } from './errors/tls-probe-error.js';
export { SecretKeyMissingError, SECRET_KEY_ENV } from './errors/secret-key-missing-error.js';
export { SealedDataError } from './errors/sealed-data-error.js';
export type { CertificateServices, IssuedPair, TeamEmail } from './certificate-services.js';
