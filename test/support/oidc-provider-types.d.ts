// oidc-provider ships no types; this declares only what test/support/oidc-provider.ts uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface Account {
    accountId: string;
    claims(): Record<string, unknown> | Promise<Record<string, unknown>>;
  }

  interface Configuration {
    clients: Record<string, unknown>[];
    claims: Record<string, string[]>;
    findAccount(ctx: unknown, id: string): Account | undefined | Promise<Account | undefined>;
    jwks: { keys: Record<string, unknown>[] };
    cookies: { keys: string[] };
    pkce: { required(): boolean };
  }

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}
