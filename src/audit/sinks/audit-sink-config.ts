import { isAbsolute } from 'node:path';
import { z } from 'zod';

/** An append-only JSON Lines file, one record a line, flushed to disk before `append` resolves. */
const FileSinkConfig = z
  .object({
    type: z.literal('file'),
    path: z.string().refine(isAbsolute, 'must be an absolute path (e.g. /var/log/marshal/audit.jsonl)'),
  })
  .strict();

/** An HTTP endpoint that takes one record per POST (JSON) and answers 2xx once it has kept it. */
const HttpSinkConfig = z
  .object({
    type: z.literal('http'),
    url: z
      .string()
      .url()
      .refine((u) => /^https?:$/.test(new URL(u).protocol), 'must be an http:// or https:// URL')
      .refine((u) => !new URL(u).password, 'must not carry a password: name the token with tokenEnv'),
    /** The environment variable holding a bearer token (the token itself never goes into config files). */
    tokenEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name such as AUDIT_SINK_TOKEN')
      .optional(),
    timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
    /** Tries after the first, on a network error, a 5xx or a 429; a 4xx is final. */
    retries: z.number().int().min(0).max(10).default(3),
  })
  .strict();

/** A second place for the audit, outside Redis: `audit.sinks` in Marshal's config, a scenario's sink… */
export const AuditSinkConfig = z.discriminatedUnion('type', [FileSinkConfig, HttpSinkConfig]);
export type AuditSinkConfig = z.infer<typeof AuditSinkConfig>;
export type AuditSinkConfigInput = z.input<typeof AuditSinkConfig>;
