import { hkdfSync } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import * as oidc from 'openid-client';
import { z } from 'zod';
import type { Logger } from '../../log/index.js';
import { scrubSecrets } from '../../log/index.js';
import { html, type Html } from '../render/html.js';
import type { Viewer } from '../viewer.js';
import { admit } from './oidc-admission.js';
import type { OidcConfig } from './oidc-config.js';
import { cookieValue, SignedCookie } from './signed-cookie.js';

export const SESSION_COOKIE = 'marshal_session';
/**
 * A sign-in in progress is kept in a cookie named after its `state`, so two at once (two tabs, or a
 * stray request sent to sign in) never overwrite each other's.
 */
const flowCookie = (state: string) => `marshal_oidc_${state.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 22)}`;
/** How long a person may take at the provider's sign-in page. */
const FLOW_TTL_MS = 10 * 60_000;

const Session = z.object({ user: z.string().min(1), name: z.string() });
const Flow = z.object({ state: z.string(), nonce: z.string(), verifier: z.string(), to: z.string() });

/**
 * The console's OpenID Connect sign-in (authorization code + PKCE, state and nonce, through
 * openid-client): `/auth/login` sends the browser to the provider, `/auth/callback` takes the code back,
 * checks the ID token, lets the person in by `admit`, and keeps who they are in a signed, HttpOnly
 * session cookie. The cookies' key is derived from the client secret, so every console process of one
 * deployment reads the same sessions, and no key is kept anywhere else.
 */
export class OidcSignIn {
  private readonly session: SignedCookie<typeof Session>;
  private readonly flow: SignedCookie<typeof Flow>;
  private provider: Promise<oidc.Configuration> | undefined;
  private base: URL | undefined;

  constructor(
    private readonly config: OidcConfig,
    private readonly clientSecret: string,
    private readonly users: Readonly<Record<string, string>>,
    private readonly logger: Logger,
    private readonly page: (title: string, body: Html) => string,
  ) {
    const key = Buffer.from(hkdfSync('sha256', clientSecret, 'marshal-console', 'cookies', 32));
    this.session = new SignedCookie(key, 'session', Session);
    this.flow = new SignedCookie(key, 'oidc-flow', Flow);
    if (config.publicUrl) this.base = new URL(config.publicUrl);
  }

  /** The console's own address, when `publicUrl` does not say it (known once it listens). */
  listeningAt(url: string): void {
    this.base ??= new URL(url);
  }

  /** Who a request's session cookie says is signed in, if anyone. */
  viewer(cookieHeader: string | undefined): Viewer {
    const s = this.session.open(cookieValue(cookieHeader, SESSION_COOKIE));
    return s ? { user: s.user, via: 'oidc' } : undefined;
  }

  routes(): Router {
    const router = express.Router();
    router.get('/auth/login', (req, res) => this.login(req, res));
    router.get('/auth/callback', (req, res) => this.callback(req, res));
    router.get('/auth/signed-out', (_req, res) => {
      res.type('text/html').send(
        this.page(
          'Signed out',
          html`<h1>Signed out</h1>
            <p><a href="/auth/login">Sign in again</a></p>`,
        ),
      );
    });
    return router;
  }

  /** Ends the console's session (the provider's own session is the provider's). */
  signOut(res: Response): void {
    res.append('set-cookie', this.cookie(SESSION_COOKIE, '', 0, '/'));
    res.redirect(303, '/auth/signed-out');
  }

  private async login(req: Request, res: Response): Promise<void> {
    const config = await this.discovered(res);
    if (!config) return;
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const to = typeof req.query.to === 'string' ? localPath(req.query.to) : '/';
    const scopes = new Set(['openid', ...this.config.scopes]);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri(),
      scope: [...scopes].join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    res.append(
      'set-cookie',
      this.cookie(
        flowCookie(state),
        this.flow.seal({ state, nonce, verifier, to }, FLOW_TTL_MS),
        FLOW_TTL_MS,
        '/auth',
      ),
    );
    res.redirect(302, url.href);
  }

  private async callback(req: Request, res: Response): Promise<void> {
    const state = typeof req.query.state === 'string' ? req.query.state : '';
    const flow = state ? this.flow.open(cookieValue(req.headers.cookie, flowCookie(state))) : undefined;
    if (state) res.append('set-cookie', this.cookie(flowCookie(state), '', 0, '/auth'));
    if (!flow) {
      this.refuse(res, 400, 'This sign-in expired or was started in another browser.');
      return;
    }
    const config = await this.discovered(res);
    if (!config) return;
    let claims: Record<string, unknown>;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, new URL(req.originalUrl, this.redirectUri()), {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken) throw new Error('the provider sent no ID token');
      claims = { ...idToken };
      // Providers often keep email and groups out of the ID token of a code flow: ask userinfo for them.
      if (claims[this.config.userClaim] === undefined || claims[this.config.groupsClaim] === undefined)
        claims = { ...(await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub)), ...claims };
    } catch (err) {
      this.logger.warn({ err: scrubSecrets(String(err)) }, 'console sign-in failed at the provider');
      this.refuse(
        res,
        401,
        `The provider did not sign you in: ${scrubSecrets(err instanceof Error ? err.message : String(err))}`,
      );
      return;
    }
    const admission = admit(claims, this.config, this.users);
    if (!admission.admitted) {
      this.logger.warn({ why: admission.why }, 'console sign-in refused');
      this.refuse(res, 403, `Not let in: ${admission.why}.`);
      return;
    }
    this.logger.info({ user: admission.user, name: admission.name }, 'console sign-in');
    const ttl = this.config.sessionHours * 3_600_000;
    res.append(
      'set-cookie',
      this.cookie(
        SESSION_COOKIE,
        this.session.seal({ user: admission.user, name: admission.name }, ttl),
        ttl,
        '/',
      ),
    );
    res.redirect(303, flow.to);
  }

  /** The provider's metadata, fetched once it is first needed (a provider down at start-up is not fatal). */
  private async discovered(res: Response): Promise<oidc.Configuration | undefined> {
    this.provider ??= oidc.discovery(
      new URL(this.config.issuer),
      this.config.clientId,
      undefined,
      oidc.ClientSecretBasic(this.clientSecret),
      new URL(this.config.issuer).protocol === 'http:'
        ? { execute: [oidc.allowInsecureRequests] }
        : undefined,
    );
    try {
      return await this.provider;
    } catch (err) {
      this.provider = undefined;
      this.logger.error(
        { err: scrubSecrets(String(err)), issuer: this.config.issuer },
        'OIDC discovery failed',
      );
      this.refuse(
        res,
        502,
        `The sign-in provider at ${this.config.issuer} did not answer (${scrubSecrets(err instanceof Error ? err.message : String(err))}); try again shortly.`,
      );
      return undefined;
    }
  }

  private redirectUri(): string {
    if (!this.base) throw new Error('the console does not know its own address yet');
    return new URL('/auth/callback', this.base).href;
  }

  private cookie(name: string, value: string, maxAgeMs: number, path: string): string {
    const secure = this.base?.protocol === 'https:' ? '; Secure' : '';
    return `${name}=${encodeURIComponent(value)}; Path=${path}; Max-Age=${Math.floor(maxAgeMs / 1000)}; HttpOnly; SameSite=Lax${secure}`;
  }

  private refuse(res: Response, status: number, why: string): void {
    res
      .status(status)
      .type('text/html')
      .send(
        this.page(
          'Sign-in',
          html`<h1>Not signed in</h1>
            <p id="why">${why}</p>
            <p><a href="/auth/login">Try again</a></p>`,
        ),
      );
  }
}

/** Only a path on this console is a place to return to after sign-in (never another site). */
export function localPath(to: string): string {
  return /^\/(?![/\\])[^\s]*$/.test(to) ? to : '/';
}
