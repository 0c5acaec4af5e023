/**
 * How an HTTP-01 challenge is answered: `http://<domain>/.well-known/acme-challenge/<token>` must
 * return `keyAuthorization`. The tests use pebble-challtestsrv's API (src/local/acme); production will
 * write the token file into the served hosts' webroot. Both sit behind this interface.
 */
export interface HttpChallengeSolver {
  /** Publishes the token for `domain` and resolves once it is served. */
  putToken(domain: string, token: string, keyAuthorization: string): Promise<void>;
  /** Removes it again (called whether or not the challenge passed). */
  removeToken(domain: string, token: string): Promise<void>;
}
