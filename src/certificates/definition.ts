import { z } from 'zod';
import { FileMode, HostCommand, PosixName, SlackOwner } from '../bundles/manifest.js';
import { targetPathProblem } from '../bundles/target-path.js';
import { parseSelector } from '../inventory/selector/parse-selector.js';
import { DomainName, domainCovers } from './domain-name.js';
import { Duration } from './duration.js';

/**
 * `certificates/<name>/certificate.yaml`: one certificate Marshal keeps renewed — the names it covers,
 * its key, who issues it, where it is deployed, how the service is tested, reloaded and checked, and who
 * owns it. Reviewed like code; every field is checked here, unknown fields are refused, and a mistake
 * names its exact path. Where deployed files may live is checked against Marshal's configuration when
 * the definition is loaded (see `parseCertificateDefinition`).
 */

export const CertificateName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    'must be lowercase letters, digits and "-" (at most 63), starting with a letter or digit',
  );

/** The keys Marshal generates (ACME) or accepts (provided files); nothing weaker than RSA 2048. */
export const KeyType = z.enum(['rsa-2048', 'rsa-3072', 'rsa-4096', 'ecdsa-p256', 'ecdsa-p384']);
export type KeyType = z.infer<typeof KeyType>;

export const ChallengeType = z.enum(['dns-01', 'http-01']);
export type ChallengeType = z.infer<typeof ChallengeType>;

const AcmeIssuer = z
  .object({
    type: z.literal('acme'),
    directoryUrl: z.url({ protocol: /^https$/, error: 'must be an https:// URL of an ACME directory' }),
    account: z.object({ email: z.email({ error: 'must be an email address' }) }).strict(),
    challenge: ChallengeType,
  })
  .strict();

/** A PEM file of a team's PKI: a file name in the definition's directory, or an absolute path. */
const PemFile = z
  .string()
  .min(1)
  .refine(
    (path) => /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(path) || targetPathProblem(path) === undefined,
    'must be a file name in the certificate directory or a normalised absolute path',
  );

const ProvidedIssuer = z
  .object({
    type: z.literal('provided'),
    certificate: PemFile,
    key: PemFile,
    chain: PemFile.optional(),
  })
  .strict();

const Issuer = z.discriminatedUnion('type', [AcmeIssuer, ProvidedIssuer], {
  error: 'must be { type: acme, … } or { type: provided, … }',
});
export type CertificateIssuer = z.infer<typeof Issuer>;

const TargetPath = z.string().superRefine((path, ctx) => {
  const problem = targetPathProblem(path);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const DeployedFile = z
  .object({
    path: TargetPath,
    owner: PosixName.default('root'),
    group: PosixName.default('root'),
    mode: FileMode.default(0o644),
  })
  .strict();
export type DeployedFile = z.infer<typeof DeployedFile>;

const DeployedKey = z
  .object({
    path: TargetPath,
    owner: PosixName.default('root'),
    group: PosixName.default('root'),
    mode: FileMode.default(0o600).refine(
      (mode) => (mode & 0o037) === 0,
      'a private key must not be writable by its group nor readable by others (e.g. "0600" or "0640")',
    ),
  })
  .strict();

const Selector = z.string().superRefine((text, ctx) => {
  try {
    parseSelector(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

const Deploy = z
  .object({
    /** Inventory selector of the hosts that serve this certificate, e.g. `role=web region=eu-west-1`. */
    hosts: Selector,
    certificate: DeployedFile,
    key: DeployedKey,
    /** Where the intermediates go; omitted when the certificate file carries the full chain. */
    chain: DeployedFile.optional(),
  })
  .strict()
  .superRefine((deploy, ctx) => {
    const seen = new Map<string, string>();
    for (const field of ['certificate', 'key', 'chain'] as const) {
      const path = deploy[field]?.path;
      if (path === undefined) continue;
      const other = seen.get(path);
      if (other)
        ctx.addIssue({ code: 'custom', path: [field, 'path'], message: `is the same file as ${other}.path` });
      seen.set(path, field);
    }
  });

const Service = z
  .object({
    /** The service's own config test with the new files staged, e.g. `[nginx, -t]`. */
    test: HostCommand,
    /** e.g. `[systemctl, reload, nginx]`. */
    reload: HostCommand,
  })
  .strict();

const Check = z
  .object({
    port: z.number().int().min(1).max(65535).default(443),
    /** The name sent in the TLS handshake; defaults to the first domain. */
    sni: DomainName.optional(),
  })
  .strict();

export const CertificateDefinition = z
  .object({
    name: CertificateName,
    description: z.string().min(1).optional(),
    domains: z
      .array(DomainName)
      .min(1, 'must name at least one domain')
      .max(100, 'at most 100 names per certificate'),
    keyType: KeyType,
    issuer: Issuer,
    deploy: Deploy,
    service: Service,
    check: Check.default({ port: 443 }),
    owners: z.array(SlackOwner).min(1, 'must name at least one owner to alert when a renewal fails'),
    /** Renew when the served certificate expires within this window, e.g. `30d`. */
    renewBefore: Duration.default(30 * 86_400_000),
  })
  .strict()
  .superRefine((def, ctx) => {
    const seen = new Set<string>();
    def.domains.forEach((domain, i) => {
      if (seen.has(domain))
        ctx.addIssue({ code: 'custom', path: ['domains', i], message: `repeats "${domain}"` });
      seen.add(domain);
      if (def.issuer.type === 'acme' && def.issuer.challenge === 'http-01' && domain.startsWith('*.'))
        ctx.addIssue({
          code: 'custom',
          path: ['domains', i],
          message: 'a wildcard name can only be validated with dns-01 (ACME forbids http-01 for it)',
        });
    });
    const sni = def.check.sni;
    if (sni === undefined && def.domains[0]?.startsWith('*.'))
      ctx.addIssue({
        code: 'custom',
        path: ['check', 'sni'],
        message: 'is required when the first domain is a wildcard (name the host to ask for)',
      });
    if (sni !== undefined && !def.domains.some((domain) => domainCovers(domain, sni)))
      ctx.addIssue({
        code: 'custom',
        path: ['check', 'sni'],
        message: `"${sni}" is not covered by the certificate's domains (${def.domains.join(', ')})`,
      });
  })
  .transform((def) => ({ ...def, check: { ...def.check, sni: def.check.sni ?? def.domains[0]! } }));
export type CertificateDefinition = z.infer<typeof CertificateDefinition>;
