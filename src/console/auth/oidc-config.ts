import { z } from 'zod';

const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/** An https URL, or http on loopback only (a provider run for tests or on this machine). */
const SecureUrl = z.url({ error: 'is not a URL' }).refine(
  (raw) => {
    const url = new URL(raw);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname));
  },
  { error: 'must be an https:// URL (http:// only on loopback: 127.0.0.1, localhost, [::1])' },
);

/**
 * `console.oidc`: sign-in with the organisation's OpenID Connect provider (Keycloak, Dex, Okta, Entra ID,
 * Google…), the authorization-code flow with PKCE through openid-client. A signed-in person is let in only
 * when their email or one of their groups is allowed here; what they may then do is still decided by
 * Marshal's access lists and four-eyes, by the Slack id `console.users` maps them to.
 */
export const OidcConfig = z
  .object({
    /** The provider's issuer URL (its discovery document is `<issuer>/.well-known/openid-configuration`). */
    issuer: SecureUrl,
    /** The client id registered for the console at the provider. */
    clientId: z.string({ error: 'is not set' }).min(1, 'is empty'),
    /**
     * The environment variable holding the client secret: never the secret itself in the config file.
     * Read when the console starts; missing or empty, the console refuses to start.
     */
    clientSecretEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'is not an environment variable name (A-Z, 0-9 and _)')
      .default('MARSHAL_CONSOLE_OIDC_SECRET'),
    /**
     * Where browsers reach the console, e.g. https://marshal.example.com: the provider sends people back
     * to `<publicUrl>/auth/callback` (register that redirect URI). Default: the address it listens on.
     */
    publicUrl: SecureUrl.optional(),
    /** Scopes asked for; `openid` is always among them. */
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'is not a scope'))
      .default(['openid', 'email', 'profile']),
    /** The claim that names the person (mapped to a Slack id by `console.users`). */
    userClaim: z.string().min(1).default('email'),
    /** The claim that lists the person's groups (from the ID token, else the userinfo endpoint). */
    groupsClaim: z.string().min(1).default('groups'),
    /** Emails let in (the provider must not say the email is unverified). */
    allowedEmails: z.array(z.email({ error: 'is not an email address' })).default([]),
    /** Groups let in: a person in any of them. */
    allowedGroups: z.array(z.string().min(1, 'is empty')).default([]),
    /** How long a sign-in lasts before the provider is asked again. */
    sessionHours: z
      .number()
      .positive()
      .max(24 * 7, 'is more than a week')
      .default(8),
  })
  .strict()
  .refine((c) => c.allowedEmails.length + c.allowedGroups.length > 0, {
    path: ['allowedGroups'],
    error:
      'neither allowedGroups nor allowedEmails lets anyone in: name the groups or emails that may sign in',
  });
export type OidcConfig = z.infer<typeof OidcConfig>;
