import type { OidcConfig } from './oidc-config.js';

export type Admission =
  | {
      admitted: true;
      /** The Slack id the console acts as. */ user: string;
      /** What the provider called them. */ name: string;
    }
  | { admitted: false; why: string };

/**
 * Whether a person the provider signed in may use the console, from their claims (ID token, then
 * userinfo): their email is allowed (and not unverified), or one of their groups is. Pure.
 */
export function admit(
  claims: Record<string, unknown>,
  config: Pick<OidcConfig, 'userClaim' | 'groupsClaim' | 'allowedEmails' | 'allowedGroups'>,
  users: Readonly<Record<string, string>>,
): Admission {
  const name = claims[config.userClaim];
  if (typeof name !== 'string' || name === '')
    return {
      admitted: false,
      why: `the provider did not say who you are (no "${config.userClaim}" claim; ask for its scope in console.oidc.scopes)`,
    };
  const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : undefined;
  const emailOk =
    email !== undefined &&
    claims.email_verified !== false &&
    config.allowedEmails.some((e) => e.toLowerCase() === email);
  const raw = claims[config.groupsClaim];
  const groups = Array.isArray(raw)
    ? raw.filter((g): g is string => typeof g === 'string')
    : typeof raw === 'string'
      ? [raw]
      : [];
  const groupOk = groups.some((g) => config.allowedGroups.includes(g));
  if (!emailOk && !groupOk)
    return { admitted: false, why: `${name} is not among the console's allowed emails or groups` };
  return { admitted: true, user: users[name] ?? name, name };
}
