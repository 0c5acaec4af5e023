import { z } from 'zod';

/** The checks a release must have passed before Marshal installs it anywhere (the site may ask for more). */
export const REQUIRED_CHECKS = ['system-validation', 'sample-application', 'traffic-replay'] as const;

export const ReleaseName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,62}$/,
    'a release name is lower-case letters, digits, . _ - (at most 63), e.g. debian-12.7',
  );

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (a sha256)');
const Instant = z
  .string()
  .datetime({ offset: true, message: 'must be an ISO 8601 time, e.g. 2026-11-20T10:00:00Z' });

export const Certification = z
  .object({
    /** Who certified the release (a person or a pipeline). */
    by: z.string().min(1, 'say who certified the release'),
    at: Instant,
    /** The checks it passed, e.g. system-validation, sample-application, traffic-replay. */
    checks: z.array(z.string().min(1)).min(1, 'list the checks the release passed'),
  })
  .strict();
export type Certification = z.infer<typeof Certification>;

export const Revocation = z
  .object({
    by: z.string().min(1),
    at: Instant,
    reason: z.string().min(1, 'say why the release was revoked'),
  })
  .strict();

export const CatalogRelease = z
  .object({
    name: ReleaseName,
    /** What a host's `currentVersion` command prints once it runs this release (e.g. VERSION_ID). */
    version: z.string().min(1).max(64),
    image: z
      .object({
        url: z.string().url('must be an http(s) URL the hosts fetch the image from'),
        sha256: Sha256,
        /** Free space the download needs on a host. */
        sizeBytes: z.number().int().positive(),
      })
      .strict(),
    certification: Certification.optional(),
    revoked: Revocation.optional(),
  })
  .strict();
export type CatalogRelease = z.infer<typeof CatalogRelease>;

export const Catalog = z
  .object({
    releases: z.array(CatalogRelease).superRefine((releases, ctx) => {
      const seen = new Set<string>();
      releases.forEach((r, i) => {
        if (seen.has(r.name))
          ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `${r.name} is listed twice` });
        seen.add(r.name);
      });
    }),
  })
  .strict();
export type Catalog = z.infer<typeof Catalog>;

/** The file on disk: the catalog and an Ed25519 signature over its canonical JSON. */
export const SignedCatalogFile = z
  .object({
    catalog: z.unknown(),
    signature: z
      .object({
        algorithm: z.literal('ed25519'),
        /** Base64 of the 64-byte signature. */
        value: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'must be a base64 Ed25519 signature'),
      })
      .strict()
      .optional(),
  })
  .strict();
