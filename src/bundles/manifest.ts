import { z } from 'zod';
import { ConfigSchemaNode } from './config-schema.js';
import { SemanticRule } from './semantic-rules.js';
import { targetPathProblem } from './target-path.js';

/**
 * `bundles/<name>/bundle.yaml`: what a bundle is, where its file goes, how the application checks,
 * reloads and reports health, and what a host needs before it may receive it. Operators edit these in
 * review; every field is checked here and a mistake names its exact path.
 */

export const BundleName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    'must be lowercase letters, digits and "-" (at most 63), starting with a letter or digit',
  );

const Version = z
  .string()
  .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, 'must be a semantic version like 1.4.0 or 2.0.0-rc.1');

/** Slack user (`U…`, `W…`) or user-group (`S…`) ids: who is alerted when a push of this bundle fails. */
export const SlackOwner = z
  .string()
  .regex(/^[UWS][A-Z0-9]{2,}$/, 'must be a Slack user id (U…/W…) or user-group id (S…)');

export const FileMode = z
  .string()
  .regex(/^0?[0-7]{3}$/, 'must be an octal mode like "0644" (quoted, so YAML keeps it a string)')
  .transform((text) => parseInt(text, 8))
  .refine((mode) => (mode & 0o002) === 0, 'must not be world-writable');

export const PosixName = z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a POSIX user or group name');

export const ConfigFormat = z.enum(['yaml', 'json', 'ini', 'plain']);

const BundleFile = z
  .object({
    /** The file inside the bundle's directory. */
    source: z
      .string()
      .regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/, 'must be a file name in the bundle directory (no "/")')
      .refine((name) => name !== 'bundle.yaml', 'must not be the manifest itself'),
    format: ConfigFormat,
    target: z.string().superRefine((path, ctx) => {
      const problem = targetPathProblem(path);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    owner: PosixName.optional(),
    group: PosixName.optional(),
    mode: FileMode.default(0o644),
  })
  .strict();

/**
 * A command on the host, as a list of arguments: Marshal quotes each one, no shell reads the manifest's
 * text. `{file}` in an argument stands for the file to look at: the new file before it replaces the old
 * one (`check`), the installed file afterwards (`reload`, `health`).
 */
const Argv = z
  .array(z.string().min(1))
  .min(1, 'must name a program')
  .refine((argv) => !/\s/.test(argv[0] ?? ''), {
    message:
      'the first argument must be a program without spaces: write the command as a list, e.g. [systemctl, reload, app]',
  });

// A bare list is shorthand for `{ argv: [...] }`; preprocessing (not a union) keeps error paths exact.
export const HostCommand = z.preprocess(
  (value) => (Array.isArray(value) ? { argv: value } : value),
  z
    .object({
      argv: Argv,
      timeoutSeconds: z.number().int().min(1).max(600).default(30),
      /** Health checks may need the application a moment after a reload. */
      attempts: z.number().int().min(1).max(10).default(1),
      intervalSeconds: z.number().int().min(0).max(60).default(0),
    })
    .strict(),
);
export type BundleCommand = z.infer<typeof HostCommand>;

const MinVersion = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^\d+(\.\d+)*$/, 'must be a dotted version like 12 or 5.15'));

const Requirements = z
  .object({
    os: z
      .object({
        id: z
          .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
          .transform((id) => (Array.isArray(id) ? id : [id])),
        minVersion: MinVersion.optional(),
      })
      .strict()
      .optional(),
    kernel: z.object({ minVersion: MinVersion }).strict().optional(),
    disk: z
      .object({ minFreeMb: z.number().int().min(0) })
      .strict()
      .optional(),
  })
  .strict();
export type BundleRequirements = z.infer<typeof Requirements>;

export const BundleManifest = z
  .object({
    name: BundleName,
    version: Version,
    description: z.string().min(1),
    owners: z.array(SlackOwner).min(1, 'must name at least one owner to alert when a push fails'),
    file: BundleFile,
    schema: ConfigSchemaNode.optional(),
    rules: z.array(SemanticRule).default([]),
    commands: z
      .object({ check: HostCommand.optional(), reload: HostCommand, health: HostCommand.optional() })
      .strict(),
    requirements: Requirements.default({}),
  })
  .strict()
  .superRefine((manifest, ctx) => {
    if (manifest.file.format !== 'plain' && !manifest.schema)
      ctx.addIssue({
        code: 'custom',
        path: ['schema'],
        message: `is required for a ${manifest.file.format} file (only plain files go unchecked)`,
      });
    if (manifest.file.format === 'plain' && manifest.rules.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['rules'],
        message: 'cannot apply to a plain file, which has no fields',
      });
  });
export type BundleManifest = z.infer<typeof BundleManifest>;
