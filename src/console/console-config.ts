import { z } from 'zod';
import { OidcConfig } from './auth/oidc-config.js';

/**
 * `console:` in Marshal's config file. The console is served only when this section is present.
 * Bound to loopback unless `host` says otherwise; bound elsewhere only behind authentication.
 */
export const ConsoleConfig = z
  .object({
    /** Address to listen on. Anything but loopback needs `oidc` or `trustedHeader`. */
    host: z.string().min(1).default('127.0.0.1'),
    /** Port; 0 takes any free port (printed at start). */
    port: z.number().int().min(0).max(65_535).default(8090),
    /**
     * The header a trusted reverse proxy (oauth2-proxy, an SSO gateway) sets to the signed-in user,
     * e.g. `X-Forwarded-User`. The proxy must strip it from clients' requests. Requests without it
     * are refused.
     */
    trustedHeader: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, 'a header name: letters, digits and -')
      .optional(),
    /** Sign-in with an OpenID Connect provider (instead of a trusted proxy header). */
    oidc: OidcConfig.optional(),
    /**
     * The header's value (or the OIDC `userClaim`) → the Slack user id it is (access lists and four-eyes are by Slack id).
     * A value not listed is used as it is.
     */
    users: z.record(z.string().min(1), z.string().regex(/^[UW][A-Z0-9]+$/, 'a Slack user id')).default({}),
    /**
     * Loopback only, for the local run: who the person at this machine may act as, chosen in the
     * console (e.g. Bob, to approve Alice's run). Refused with a non-loopback `host`.
     */
    actAs: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, 'a Slack user id')).optional(),
  })
  .strict();
export type ConsoleConfig = z.infer<typeof ConsoleConfig>;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
