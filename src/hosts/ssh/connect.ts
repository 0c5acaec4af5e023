import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import type { Host } from '../host.js';
import type { MarshalError } from '../../errors/marshal-error.js';
import { HostUnreachable } from '../errors/host-unreachable.js';
import { SshAuthFailed } from '../errors/ssh-auth-failed.js';
import { SshNegotiationFailed } from '../errors/ssh-negotiation-failed.js';
import { modernAlgorithms, nestedConnectionAlgorithms } from './algorithms.js';
import type { HostKeyPolicy } from './host-key-policy.js';
import type { SshExecutorSettings } from './settings.js';

/** The host key each open connection was verified with, for checking it again when the connection is reused. */
const verifiedKeys = new WeakMap<Client, Buffer>();

/** The host key `client` presented and had accepted in its handshake (undefined: not opened by `connect`). */
export function verifiedHostKey(client: Client): Buffer | undefined {
  return verifiedKeys.get(client);
}

export interface ConnectDeps {
  settings: SshExecutorSettings;
  hostKeys: HostKeyPolicy;
  privateKey?: Buffer;
}

/**
 * One authenticated SSH connection, the host key checked against known_hosts during the handshake,
 * so a refused host never sees a command. `sock` is a forwarded channel when going through a jump host.
 */
export function connect(host: Host, deps: ConnectDeps, sock?: Duplex): Promise<Client> {
  const { settings } = deps;
  return new Promise((resolve, reject) => {
    const client = new Client();
    let refusal: MarshalError | undefined;
    let settled = false;
    // ssh2 arms readyTimeout on the socket's 'connect', which a forwarded channel (a jump host's) never
    // emits: without a timer of our own a target that never speaks through the jump hangs for ever.
    const handshakeTimer = sock
      ? setTimeout(
          () =>
            fail(
              new HostUnreachable(host.name, `no SSH handshake within ${settings.readyTimeoutMs} ms`, {
                context: { address: host.address, port: host.port, through: 'jump host' },
              }),
            ),
          settings.readyTimeoutMs,
        )
      : undefined;
    const fail = (err: MarshalError): void => {
      clearTimeout(handshakeTimer);
      if (settled) return;
      settled = true;
      client.end();
      reject(err);
    };
    let presented: Buffer | undefined;
    client.once('ready', () => {
      clearTimeout(handshakeTimer);
      if (presented) verifiedKeys.set(client, presented);
      settled = true;
      resolve(client);
    });
    client.on('error', (err: Error & { level?: string }) =>
      fail(refusal ?? mapConnectError(host, err, settings)),
    );
    client.once('close', () =>
      fail(refusal ?? new HostUnreachable(host.name, 'connection closed during the handshake')),
    );
    const config: ConnectConfig = {
      host: host.address,
      port: host.port,
      username: host.user,
      readyTimeout: settings.readyTimeoutMs,
      keepaliveInterval: settings.keepaliveIntervalMs,
      keepaliveCountMax: settings.keepaliveCountMax,
      // Inside a jump host's channel, a cipher whose state is per connection (see nestedConnectionAlgorithms).
      algorithms: sock ? nestedConnectionAlgorithms() : modernAlgorithms(),
      agentForward: false,
      hostVerifier: (key: Buffer) => {
        refusal = deps.hostKeys.check(host, key);
        presented = key;
        return refusal === undefined;
      },
    };
    if (sock) config.sock = sock;
    if (deps.privateKey) config.privateKey = deps.privateKey;
    if (settings.passphrase) config.passphrase = settings.passphrase;
    if (settings.useAgent && process.env.SSH_AUTH_SOCK) config.agent = process.env.SSH_AUTH_SOCK;
    client.connect(config);
  });
}

function mapConnectError(
  host: Host,
  err: Error & { level?: string },
  settings: SshExecutorSettings,
): MarshalError {
  if (err.level === 'client-authentication') return new SshAuthFailed(host.name, host.user, err);
  if (err.level === 'handshake' && /no matching|handshake failed/i.test(err.message)) {
    return new SshNegotiationFailed(host.name, err.message, err);
  }
  if (err.level === 'client-timeout') {
    return new HostUnreachable(host.name, `no SSH handshake within ${settings.readyTimeoutMs} ms`, {
      cause: err,
      context: { address: host.address, port: host.port },
    });
  }
  return new HostUnreachable(host.name, err.message, {
    cause: err,
    context: { address: host.address, port: host.port },
  });
}
