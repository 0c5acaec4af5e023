import type { Client } from 'ssh2';
import type { Host } from '../../src/hosts/host.js';
import type { HostKeyPolicy } from '../../src/hosts/ssh/host-key-policy.js';
import { bareConnect, bareExec } from '../config-push/bare-ssh.js';

/**
 * The bare script's one SSH connection to a host, as Marshal's pool keeps one: opened when first needed,
 * kept across commands, and opened anew after the host dropped it (a reboot). No retries of its own.
 */
export class BareLink {
  private client: Client | undefined;
  private closed = true;

  constructor(
    readonly host: Host,
    private readonly key: Buffer,
    private readonly hostKeys: HostKeyPolicy,
  ) {}

  /**
   * Runs `text` (stdin written and closed when given); rejects when the connection is or goes down, or
   * when `timeoutMs` (counted from the command's start, not the handshake's) runs out: the link is then
   * dropped, as a dead one.
   */
  async exec(
    text: string,
    options: { stdin?: string; timeoutMs?: number } = {},
  ): Promise<{ code: number | null; stdout: string }> {
    const client = await this.open();
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        client.removeListener('close', lost);
      };
      // A host that goes down mid-command: ssh2 may report the channel's close without an exit status.
      const lost = (): void => {
        done();
        reject(new Error(`bare: ${this.host.name} closed the connection`));
      };
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              done();
              this.end();
              reject(new Error(`bare: no answer from ${this.host.name} within ${options.timeoutMs} ms`));
            }, options.timeoutMs);
      client.once('close', lost);
      bareExec(client, text, options.stdin).then(
        (r) => {
          done();
          resolve(r);
        },
        (err: unknown) => {
          done();
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  /** Runs `text`; throws unless it exits 0. */
  async must(text: string, what: string): Promise<string> {
    const r = await this.exec(text);
    if (r.code !== 0) throw new Error(`bare: ${what} failed on ${this.host.name} (exit ${r.code})`);
    return r.stdout;
  }

  end(): void {
    this.client?.end();
    this.client = undefined;
    this.closed = true;
  }

  private async open(): Promise<Client> {
    if (this.client && !this.closed) return this.client;
    const client = await bareConnect(this.host, this.key, this.hostKeys);
    this.client = client;
    this.closed = false;
    client.on('error', () => undefined);
    client.once('close', () => {
      if (this.client === client) this.closed = true;
    });
    return client;
  }
}
