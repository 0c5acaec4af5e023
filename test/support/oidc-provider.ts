import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface OidcAccount {
  email: string;
  groups: string[];
}

/**
 * A real OpenID Connect provider (the `oidc-provider` package, certified by the OpenID Foundation) on
 * loopback, for the console's sign-in tests. Its own login and consent pages are its quick-start ones:
 * the login is the account's email, and the password is not checked (what the console decides from the
 * claims is what is under test). Listens first, so its issuer URL is known before the console starts;
 * `registerClient` then gives it the console's redirect URI.
 */
export class TestOidcProvider {
  readonly clientId = 'marshal-console';
  readonly clientSecret = randomBytes(24).toString('base64url');

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    private readonly accounts: readonly OidcAccount[],
  ) {}

  static async start(accounts: readonly OidcAccount[], host = '127.0.0.1'): Promise<TestOidcProvider> {
    const server = createServer((_req, res) => res.writeHead(503).end('provider not ready\n'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new TestOidcProvider(server, `http://${host}:${port}`, accounts);
  }

  /** Creates the provider with the console as its one client (redirect URI `<consoleUrl>/auth/callback`). */
  registerClient(consoleUrl: string): void {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test', alg: 'RS256', use: 'sig' };
    const provider = new Provider(this.issuer, {
      clients: [
        {
          client_id: this.clientId,
          client_secret: this.clientSecret,
          redirect_uris: [`${consoleUrl}/auth/callback`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
      findAccount: (_ctx, id) => {
        const account = this.accounts.find((a) => a.email === id);
        if (!account) return undefined;
        return {
          accountId: id,
          claims: () => ({ sub: id, email: account.email, email_verified: true, groups: account.groups }),
        };
      },
      jwks: { keys: [jwk] },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      pkce: { required: () => true },
    });
    this.server.removeAllListeners('request');
    this.server.on('request', provider.callback());
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
