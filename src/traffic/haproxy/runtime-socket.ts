import { createConnection } from 'node:net';
import { LoadBalancerError } from '../errors/load-balancer-error.js';

/** What Marshal needs of HAProxy's runtime API: send one command line, get its whole answer. */
export interface RuntimeSocket {
  readonly address: string;
  send(line: string, signal?: AbortSignal): Promise<string>;
}

/**
 * The runtime API on a UNIX stats socket, in non-interactive mode: one connection per command line;
 * HAProxy answers and closes, so the answer is everything read until the close. One command per
 * line: `;` (HAProxy's command separator) is refused, so a name can never carry a second command.
 */
export class UnixRuntimeSocket implements RuntimeSocket {
  constructor(
    readonly address: string,
    private readonly timeoutMs = 5_000,
  ) {}

  send(line: string, signal?: AbortSignal): Promise<string> {
    if (/[\r\n;]/.test(line))
      return Promise.reject(
        new LoadBalancerError('a runtime API command is one line without ";" (one command per connection)', {
          socket: this.address,
        }),
      );
    return new Promise((resolve, reject) => {
      const socket = createConnection(this.address);
      const chunks: Buffer[] = [];
      let settled = false;
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        if (err) reject(err);
        else resolve(Buffer.concat(chunks).toString('utf8'));
      };
      const fail = (message: string, cause?: unknown, retryable = true): void =>
        finish(
          new LoadBalancerError(message, {
            socket: this.address,
            command: firstWords(line),
            retryable,
            cause,
          }),
        );
      const onAbort = (): void => fail('the HAProxy command was aborted', signal?.reason, false);
      const timer = setTimeout(
        () => fail(`HAProxy's runtime API at ${this.address} did not answer within ${this.timeoutMs} ms`),
        this.timeoutMs,
      );
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.on('connect', () => socket.write(`${line}\n`));
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('close', () => finish());
      socket.on('error', (err) =>
        fail(`cannot reach HAProxy's runtime API at ${this.address}: ${err.message}`, err),
      );
    });
  }
}

/** The command's verb and object, for error context (weights and states are no secret, but keep it short). */
function firstWords(line: string): string {
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
