import { z } from 'zod';
import { Duration } from '../certificates/duration.js';
import { parseDnsServer } from '../traffic/dns/dns-update.js';
import { isDomainName } from '../traffic/dns/domain-name.js';
import { TSIG_ALGORITHMS } from '../traffic/dns/tsig-key.js';

/**
 * The `certificates:` section of Marshal's config file: where certificate definitions are, what they may
 * write on hosts, which roots a new certificate must chain to, how ACME challenges are answered, the
 * expiry radar's schedule, and the SMTP server the certificate team is mailed through. Paths are
 * relative to the config file. Checked once at start; a mistake names its field.
 */

const AbsoluteDir = z
  .string()
  .regex(/^\/[^\0]*[^/]$/, 'must be an absolute directory path without a trailing /');

const Email = z.email({ error: 'must be an email address' });

/** Five or six cron fields (BullMQ's cron-parser syntax), e.g. `0 7 * * *` for 07:00 every day. */
const Cron = z
  .string()
  .trim()
  .regex(/^(\S+\s+){4,5}\S+$/, 'must be a cron expression of 5 or 6 fields, e.g. "0 7 * * *" (07:00 daily)');

export const SmtpSettings = z
  .object({
    host: z.string().min(1, 'must name the SMTP server'),
    port: z.number().int().min(1).max(65535).default(587),
    /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
    secure: z.boolean().default(false),
    /** Refuse to send unless the connection is upgraded with STARTTLS. */
    requireTls: z.boolean().default(false),
    user: z.string().min(1).optional(),
    /** The environment variable holding the password (never the password itself in this file). */
    passwordEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the name of an environment variable, e.g. MARSHAL_SMTP_PASSWORD')
      .optional(),
  })
  .strict()
  .refine((s) => s.passwordEnv === undefined || s.user !== undefined, {
    message: 'passwordEnv needs user too',
    path: ['user'],
  });
export type SmtpSettings = z.infer<typeof SmtpSettings>;

const EnvName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the name of an environment variable, e.g. MARSHAL_ACME_TSIG_SECRET');

const DnsName = z
  .string()
  .refine(isDomainName, 'must be a DNS name such as "example.com." (labels of letters, digits, "-", "_")');

/**
 * DNS-01 by RFC 2136 updates signed with TSIG, sent to the zone's authoritative (primary) server. The
 * secret is read from the environment variable `secretEnv` names; never written in the config.
 */
export const Rfc2136SolverSettings = z
  .object({
    /** The authoritative server taking updates: `host`, `host:port` or `[v6]:port` (53 by default). */
    server: z.string().superRefine((text, ctx) => {
      try {
        parseDnsServer(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `must be host or host:port (${(err as Error).message})` });
      }
    }),
    /** The zone the `_acme-challenge` records are written in, e.g. `example.com.` */
    zone: DnsName,
    key: z
      .object({
        name: DnsName,
        algorithm: z.enum(TSIG_ALGORITHMS, { error: `must be one of ${TSIG_ALGORITHMS.join(', ')}` }),
        secretEnv: EnvName,
        secret: z
          .never({
            error:
              'the TSIG secret is never written in the config: name the environment variable holding it as secretEnv',
          })
          .optional(),
      })
      .strict(),
    /** TTL of the challenge record in seconds. */
    ttl: z.number().int().min(0).max(86_400).default(60),
  })
  .strict();
export type Rfc2136SolverSettings = z.infer<typeof Rfc2136SolverSettings>;

export const CertificatesConfig = z
  .object({
    /** The directory of certificate definitions (`<name>/certificate.yaml`). */
    directory: z.string().min(1, 'must name the directory of certificate definitions'),
    /** Directories on hosts certificates and keys may be written under. */
    allowedRoots: z.array(AbsoluteDir).min(1).default(['/etc/ssl/marshal']),
    /** PEM files of the roots a new certificate must chain to. */
    trustStore: z.array(z.string().min(1)).min(1, 'must name at least one PEM file of trusted roots'),
    /** How long the previous pair stays on hosts after a successful renewal, e.g. `7d`. */
    keepPrevious: Duration.default(7 * 86_400_000),
    acme: z
      .object({
        /** The ACME account's key (PEM file); without it each process registers an account of its own. */
        accountKey: z.string().min(1).optional(),
        /** A CA to trust for the ACME directory's own HTTPS (a private or test CA such as pebble's). */
        directoryCa: z.string().min(1).optional(),
        /**
         * How challenges are answered. `rfc2136`: DNS-01 by TSIG-signed updates to the zone's
         * authoritative server (production). `challtestsrv`: pebble-challtestsrv's management API (DNS-01
         * TXT records and HTTP-01 tokens), for test and staging CAs. With both, DNS-01 goes through rfc2136.
         */
        solver: z
          .object({
            challtestsrv: z.url({ error: 'must be the management API URL' }).optional(),
            rfc2136: Rfc2136SolverSettings.optional(),
          })
          .strict()
          .refine((s) => s.challtestsrv !== undefined || s.rfc2136 !== undefined, {
            message:
              "name a solver: rfc2136 (DNS-01 through the zone's authoritative server) or challtestsrv",
          }),
        /** Polling of challenge and order status; the defaults suit a public CA. */
        pollMs: z.number().int().min(10).max(60_000).optional(),
      })
      .strict()
      .optional(),
    radar: z
      .object({
        cron: Cron,
        /** IANA time zone of the cron expression; default UTC. */
        timezone: z.string().min(1).default('UTC'),
        /** The Slack channel the digest is posted in. */
        channel: z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'must be a Slack channel id, e.g. C0123ABCD'),
        /** Start a renewal run (which still waits for approval) for every certificate inside its window. */
        autoRenew: z.boolean().default(false),
      })
      .strict()
      .optional(),
    email: z
      .object({
        smtp: SmtpSettings,
        from: Email,
        /** The certificate team. */
        to: z.array(Email).min(1, 'must name at least one address'),
      })
      .strict()
      .optional(),
  })
  .strict();
export type CertificatesConfig = z.infer<typeof CertificatesConfig>;
