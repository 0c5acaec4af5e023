import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { admit } from '../../../src/console/auth/oidc-admission.js';
import { localPath } from '../../../src/console/auth/oidc-sign-in.js';
import { SignedCookie } from '../../../src/console/auth/signed-cookie.js';
import { ConsoleConfig } from '../../../src/console/console-config.js';
import { checkConsoleConfig } from '../../../src/console/create-console.js';
import { InvalidConfigError } from '../../../src/config/invalid-config-error.js';

const oidc = {
  issuer: 'https://sso.example.com/realms/ops',
  clientId: 'marshal-console',
  allowedGroups: ['ops'],
};

function problems(input: unknown, env: Record<string, string> = {}): string[] {
  const parsed = ConsoleConfig.safeParse(input);
  if (!parsed.success) return parsed.error.issues.map((i) => `console.${i.path.join('.')}: ${i.message}`);
  try {
    checkConsoleConfig(parsed.data, env);
    return [];
  } catch (err) {
    if (err instanceof InvalidConfigError) return err.problems.map((p) => `${p.where}: ${p.problem}`);
    throw err;
  }
}

describe('console sign-in configuration', () => {
  it('refuses a console bound beyond loopback without OIDC or a trusted header', () => {
    expect(problems({ host: '0.0.0.0' })).toEqual([
      'console.host: 0.0.0.0 is not loopback, and no authentication is configured',
    ]);
  });

  it('starts exposed with OIDC once its client secret is in the environment it names', () => {
    expect(problems({ host: '0.0.0.0', oidc })).toEqual([
      'MARSHAL_CONSOLE_OIDC_SECRET: is not set (console.oidc.clientSecretEnv names it for the OIDC client secret)',
    ]);
    expect(problems({ host: '0.0.0.0', oidc }, { MARSHAL_CONSOLE_OIDC_SECRET: 's3cret' })).toEqual([]);
  });

  it('names the bad OIDC field: issuer, client id, who is let in', () => {
    expect(problems({ oidc: { ...oidc, issuer: 'http://sso.example.com' } })).toEqual([
      'console.oidc.issuer: must be an https:// URL (http:// only on loopback: 127.0.0.1, localhost, [::1])',
    ]);
    expect(problems({ oidc: { ...oidc, clientId: '' } })).toEqual(['console.oidc.clientId: is empty']);
    expect(problems({ oidc: { issuer: oidc.issuer, clientId: 'x' } })).toEqual([
      'console.oidc.allowedGroups: neither allowedGroups nor allowedEmails lets anyone in: name the groups or emails that may sign in',
    ]);
    expect(problems({ oidc: { ...oidc, allowedEmails: ['bob'] } })).toEqual([
      'console.oidc.allowedEmails.0: is not an email address',
    ]);
  });

  it('refuses OIDC and a trusted header together, and act-as with OIDC', () => {
    const env = { MARSHAL_CONSOLE_OIDC_SECRET: 's' };
    expect(problems({ oidc, trustedHeader: 'X-User' }, env)).toEqual([
      'console.oidc: both OIDC sign-in and a trusted proxy header are configured',
    ]);
    expect(problems({ oidc, actAs: ['U0BOB'] }, env)).toHaveLength(1);
  });
});

describe('who the provider lets in', () => {
  const config = {
    userClaim: 'email',
    groupsClaim: 'groups',
    allowedEmails: ['Eve@example.com'],
    allowedGroups: ['ops'],
  };
  const users = { 'bob@example.com': 'U0BOB' };

  it('admits a member of an allowed group as the Slack id the config maps them to', () => {
    expect(admit({ email: 'bob@example.com', groups: ['ops'] }, config, users)).toEqual({
      admitted: true,
      user: 'U0BOB',
      name: 'bob@example.com',
    });
  });

  it('admits an allowed email (case-insensitively) unless the provider says it is unverified', () => {
    expect(admit({ email: 'eve@example.com' }, config, users).admitted).toBe(true);
    expect(admit({ email: 'eve@example.com', email_verified: false }, config, users).admitted).toBe(false);
  });

  it('refuses someone in no allowed group, and a sign-in that does not say who', () => {
    expect(admit({ email: 'carol@example.com', groups: ['finance'] }, config, users)).toEqual({
      admitted: false,
      why: "carol@example.com is not among the console's allowed emails or groups",
    });
    expect(admit({ sub: 'x', groups: ['ops'] }, config, users).admitted).toBe(false);
  });
});

describe('signed cookies', () => {
  const cookie = new SignedCookie(Buffer.alloc(32, 7), 'session', z.object({ user: z.string() }));

  it('reads back what it sealed until it expires', () => {
    const sealed = cookie.seal({ user: 'U0BOB' }, 1000, 0);
    expect(cookie.open(sealed, 999)).toEqual({ user: 'U0BOB' });
    expect(cookie.open(sealed, 1000)).toBeUndefined();
  });

  it('reads nothing from a changed value, or one sealed for another purpose', () => {
    const sealed = cookie.seal({ user: 'U0BOB' }, 1000, 0);
    const [, mac] = sealed.split('.');
    const forged = `${Buffer.from(JSON.stringify({ v: { user: 'U0ADMIN' }, exp: 1e15 })).toString('base64url')}.${mac}`;
    expect(cookie.open(forged, 0)).toBeUndefined();
    const other = new SignedCookie(Buffer.alloc(32, 7), 'oidc-flow', z.object({ user: z.string() }));
    expect(other.open(sealed, 0)).toBeUndefined();
  });

  it('returns after sign-in only to a path on the console', () => {
    expect(localPath('/runs/r1?x=1')).toBe('/runs/r1?x=1');
    expect(localPath('//evil.example/')).toBe('/');
    expect(localPath('https://evil.example/')).toBe('/');
    expect(localPath('/\\evil.example')).toBe('/');
  });
});
