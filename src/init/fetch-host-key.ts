import { Client } from 'ssh2';
import { modernAlgorithms } from '../hosts/ssh/algorithms.js';
import {
  blobKeyType,
  fingerprintSha256,
  formatKnownHostsLine,
  knownHostsName,
} from '../hosts/known-hosts.js';
import type { InitHost } from './init-hosts.js';

/** A host's key as its SSH server presented it, before anything is trusted or sent. */
export interface PresentedHostKey {
  readonly host: InitHost;
  readonly type: string;
  /** `SHA256:…`, as `ssh-keygen -lf` prints it: what the operator compares with the host's own. */
  readonly fingerprint: string;
  /** The known_hosts line that trusts it (`[address]:port` for a port other than 22). */
  readonly knownHostsLine: string;
}

/**
 * Connects far enough to read the host key and stops there: the verifier refuses every key, so no
 * authentication is attempted and nothing reaches the host. Rejects with a readable reason.
 */
export function fetchHostKey(host: InitHost, timeoutMs = 10_000): Promise<PresentedHostKey> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let key: Buffer | undefined;
    const done = (err?: Error): void => {
      clearTimeout(timer);
      client.removeAllListeners();
      client.on('error', () => {});
      client.end();
      if (key)
        resolve({
          host,
          type: blobKeyType(key) ?? 'unknown',
          fingerprint: fingerprintSha256(key),
          knownHostsLine: formatKnownHostsLine(knownHostsName(host.address, host.port), key),
        });
      else reject(err ?? new Error('the server presented no host key'));
    };
    const timer = setTimeout(() => done(new Error(`no SSH answer within ${timeoutMs / 1000} s`)), timeoutMs);
    client.on('error', (err) => done(err));
    client.on('close', () => done());
    client.connect({
      host: host.address,
      port: host.port,
      username: 'marshal-init',
      readyTimeout: timeoutMs,
      algorithms: modernAlgorithms(),
      hostVerifier: (presented: Buffer) => {
        key = presented;
        // Refused: the key is only read here; trusting it is the operator's decision.
        return false;
      },
    });
  });
}
