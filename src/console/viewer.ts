import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { cookieValue } from './auth/signed-cookie.js';
import type { ConsoleConfig } from './console-config.js';

/** Who is looking: a Slack user id, or undefined (may read, may not act). */
export type Viewer = { user: string; via: 'header' | 'oidc' | 'act-as' } | undefined;

export class Unauthenticated extends Error {
  constructor(
    message: string,
    /** Whether the console can sign the person in itself (OIDC), rather than a proxy in front of it. */
    readonly canSignIn = false,
  ) {
    super(message);
  }
}

export const ACT_AS_COOKIE = 'marshal_as';

/**
 * Who a request comes from. With OIDC sign-in, the session cookie says (`session`); without one the
 * request is refused (and sent to sign in). Behind a trusted proxy, its header says (mapped to a Slack
 * id); without it the request is refused. In the local run (loopback, `actAs`), the person picks from the listed
 * users. Otherwise (loopback, no auth configured) the console is read-only.
 */
export function viewerOf(
  config: ConsoleConfig,
  headers: IncomingHttpHeaders,
  session?: (cookieHeader: string | undefined) => Viewer,
): Viewer {
  if (config.oidc) {
    const signedIn = session?.(headers.cookie);
    if (!signedIn) throw new Unauthenticated('not signed in: sign in at /auth/login', true);
    return signedIn;
  }
  if (config.trustedHeader) {
    const raw = headers[config.trustedHeader.toLowerCase()];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (!value) throw new Unauthenticated(`no ${config.trustedHeader} header: sign in through the proxy`);
    return { user: config.users[value] ?? value, via: 'header' };
  }
  if (config.actAs) {
    const chosen = cookieValue(headers.cookie, ACT_AS_COOKIE);
    if (chosen && config.actAs.includes(chosen)) return { user: chosen, via: 'act-as' };
  }
  return undefined;
}

/**
 * CSRF tokens bound to the viewer: an HMAC of who they are under a secret of this process. A page
 * from another site cannot read it, so cannot forge a control; a token of one user is worthless to
 * another.
 */
export class CsrfTokens {
  constructor(private readonly secret: Buffer) {}

  token(viewer: Viewer): string {
    return this.sign(`csrf|${viewer?.user ?? ''}`);
  }

  valid(viewer: Viewer, token: unknown): boolean {
    return typeof token === 'string' && same(token, this.token(viewer));
  }

  /** Signs a notice shown after a redirect, so a crafted link cannot make the console say things. */
  sign(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('base64url');
  }

  verify(text: string, signature: unknown): boolean {
    return typeof signature === 'string' && same(signature, this.sign(`notice|${text}`));
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
