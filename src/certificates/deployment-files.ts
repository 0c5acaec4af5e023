import type { UploadSpec } from '../hosts/executor.js';
import type { CertificateDefinition } from './definition.js';
import type { ValidatedCertificate } from './validation/validate-certificate.js';

export type DeployedRole = 'certificate' | 'key' | 'chain';

/**
 * The files a host receives for a validated certificate, with the definition's paths, owners and modes:
 * the leaf and chain apart when the definition has a chain path, else the full chain in the certificate
 * file (what nginx wants). The key goes as file content over SFTP, never in a command line.
 */
export function deploymentFiles(
  definition: CertificateDefinition,
  certificate: ValidatedCertificate,
  keyPem: string,
): (UploadSpec & { role: DeployedRole })[] {
  const { deploy } = definition;
  const spec = (role: DeployedRole, file: typeof deploy.certificate, content: string) => ({
    role,
    path: file.path,
    content,
    mode: file.mode,
    owner: file.owner,
    group: file.group,
  });
  const files = [
    spec('certificate', deploy.certificate, deploy.chain ? certificate.leafPem : certificate.fullChainPem),
    spec('key', deploy.key, keyPem),
  ];
  if (deploy.chain) files.push(spec('chain', deploy.chain, certificate.chainPem));
  return files;
}
