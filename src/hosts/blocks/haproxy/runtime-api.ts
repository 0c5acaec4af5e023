import { createConnection } from 'node:net';
import { LoadBalancerFailed } from '../../errors/load-balancer-failed.js';

/** Where HAProxy's runtime API listens: its `stats socket` (a UNIX socket path, or a TCP address). */
export type RuntimeApiEndpoint = { socket: string } | { host: string; port: number };

export function describeEndpoint(endpoint: RuntimeApiEndpoint): string {
  return 'socket' in endpoint ? endpoint.socket : `${endpoint.host}:${endpoint.port}`;
}

/**
 * Sends one command to HAProxy's runtime API (non-interactive: one command per connection, HAProxy
 * answers and closes) and returns the answer. Commands are built in haproxy-commands.ts from checked names.
 */
export function sendRuntimeCommand(
  endpoint: RuntimeApiEndpoint,
  command: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<string> {
  const where = describeEndpoint(endpoint);
  if (/[\r\n;]/.test(command))
    return Promise.reject(new LoadBalancerFailed(where, 'a runtime API command is one line without `;`'));
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const socket =
      'socket' in endpoint
        ? createConnection({ path: endpoint.socket })
        : createConnection({ host: endpoint.host, port: endpoint.port });
    const chunks: Buffer[] = [];
    let settled = false;
    const fail = (message: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      options.signal?.removeEventListener('abort', onAbort);
      reject(new LoadBalancerFailed(where, message, { cause, retryable: true, context: { command } }));
    };
    const onAbort = (): void => fail('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(timeoutMs, () => fail(`no answer to "${command}" within ${timeoutMs} ms`));
    socket.once('connect', () => socket.end(`${command}\n`));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', (err) => fail(`cannot reach the runtime API: ${err.message}`, err));
    socket.once('close', () => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}
