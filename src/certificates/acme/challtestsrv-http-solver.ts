import { challtestsrvPost } from './challtestsrv-post.js';
import type { HttpChallengeSolver } from './http-challenge-solver.js';

/**
 * Serves HTTP-01 tokens through pebble-challtestsrv's management API (`/add-http01`, `/del-http01`):
 * its HTTP-01 server is where pebble's validation authority connects (its DNS answers every name with
 * 127.0.0.1). The test stand-in for writing the token into the served hosts' webroot.
 */
export class ChalltestsrvHttpSolver implements HttpChallengeSolver {
  constructor(private readonly managementUrl: string) {}

  async putToken(_domain: string, token: string, keyAuthorization: string): Promise<void> {
    await this.post('/add-http01', { token, content: keyAuthorization });
  }

  async removeToken(_domain: string, token: string): Promise<void> {
    await this.post('/del-http01', { token });
  }

  private post(path: string, body: Record<string, string>): Promise<void> {
    return challtestsrvPost(this.managementUrl, path, body);
  }
}
