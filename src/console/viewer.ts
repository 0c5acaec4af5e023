import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ConsoleConfig } from './console-config.js';

/** Who is looking: a Slack user id, or undefined (may read, may not act). */
export type Viewer = { user: string; via: 'header' | 'act-as' } | undefined;

export class Unauthenticated extends Error {}

export const ACT_AS_COOKIE = 'marshal_as';

/**
 * Who a request comes from. Behind a trusted proxy, its header says (mapped to a Slack id); without
 * it the request is refused. In the local run (loopback, `actAs`), the person picks from the listed
 * users. Otherwise (loopback, no auth configured) the console is read-only.
 */
export function viewerOf(config: ConsoleConfig, headers: IncomingHttpHeaders): Viewer {
  if (config.trustedHeader) {
    const raw = headers[config.trustedHeader.toLowerCase()];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (!value) throw new Unauthenticated(`no ${config.trustedHeader} header: sign in through the proxy`);
    return { user: config.users[value] ?? value, via: 'header' };
  }
  if (config.actAs) {
    const chosen = cookie(headers.cookie, ACT_AS_COOKIE);
    if (chosen && config.actAs.includes(chosen)) return { user: chosen, via: 'act-as' };
  }
  return undefined;
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
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
