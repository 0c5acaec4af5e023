import { z } from 'zod';
import type { CertificateDefinition } from '../../src/certificates/definition.js';

/**
 * What validation decided about a renewal, recorded as the validation task's output (it crosses Redis
 * and is read back by every later task, checked with this schema): the definition as loaded then, so
 * the run deploys what was validated and approved even if the file changes meanwhile, and the hosts.
 */
export const DeployedFileSpec = z.object({
  role: z.enum(['certificate', 'key', 'chain']),
  path: z.string(),
  owner: z.string(),
  group: z.string(),
  mode: z.number().int(),
});
export type DeployedFileSpec = z.infer<typeof DeployedFileSpec>;

const Command = z.object({ argv: z.array(z.string()).min(1), timeoutSeconds: z.number() });

export const RenewalPlan = z.object({
  certificate: z.string(),
  domains: z.array(z.string()),
  issuer: z.enum(['acme', 'provided']),
  owners: z.array(z.string()),
  files: z.array(DeployedFileSpec),
  test: Command,
  reload: Command,
  port: z.number().int(),
  sni: z.string(),
  renewBeforeMs: z.number(),
  /** The selector's hosts, `criticality: low` first (the canary comes from them). */
  hosts: z.array(z.string()).min(1),
  lowCriticality: z.array(z.string()),
});
export type RenewalPlan = z.infer<typeof RenewalPlan>;

export function planOf(definition: CertificateDefinition, hosts: string[], low: string[]): RenewalPlan {
  const { deploy } = definition;
  const spec = (role: DeployedFileSpec['role'], f: typeof deploy.certificate): DeployedFileSpec => ({
    role,
    path: f.path,
    owner: f.owner,
    group: f.group,
    mode: f.mode,
  });
  return {
    certificate: definition.name,
    domains: definition.domains,
    issuer: definition.issuer.type,
    owners: definition.owners,
    files: [
      spec('certificate', deploy.certificate),
      spec('key', deploy.key),
      ...(deploy.chain ? [spec('chain', deploy.chain)] : []),
    ],
    test: { argv: definition.service.test.argv, timeoutSeconds: definition.service.test.timeoutSeconds },
    reload: {
      argv: definition.service.reload.argv,
      timeoutSeconds: definition.service.reload.timeoutSeconds,
    },
    port: definition.check.port,
    sni: definition.check.sni,
    renewBeforeMs: definition.renewBefore,
    hosts,
    lowCriticality: low,
  };
}

/**
 * The new certificate as validated, recorded as the certificate task's output: what the audit and the
 * approvers read, the PEM texts the hosts get, and the private key only sealed (AES-256-GCM under
 * MARSHAL_SECRET_KEY, bound to this run and certificate).
 */
export const NewCertificate = z.object({
  fingerprintSha256: z.string(),
  serial: z.string(),
  issuer: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  dnsNames: z.array(z.string()),
  leafPem: z.string(),
  chainPem: z.string(),
  sealedKey: z.string(),
});
export type NewCertificate = z.infer<typeof NewCertificate>;

/** The purpose a run's key is sealed for: opening it for another certificate or run fails. */
export const keyPurpose = (certificate: string, runId: string): string =>
  `certificate:${certificate}:key:${runId}`;

/** Each file's content for a host: the certificate file holds the full chain unless the chain has its own. */
export function fileContents(
  plan: RenewalPlan,
  cert: NewCertificate,
  keyPem: string,
): { spec: DeployedFileSpec; content: string }[] {
  const hasChain = plan.files.some((f) => f.role === 'chain');
  return plan.files.map((spec) => ({
    spec,
    content:
      spec.role === 'key'
        ? keyPem
        : spec.role === 'chain'
          ? cert.chainPem
          : hasChain
            ? cert.leafPem
            : cert.leafPem + cert.chainPem,
  }));
}
