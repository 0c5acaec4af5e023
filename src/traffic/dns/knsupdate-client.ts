import { spawn } from 'node:child_process';
import { knsupdateScript, type DnsServer, type DnsUpdate } from './dns-update.js';
import { readKnsupdateOutcome, type UpdateOutcome } from './knsupdate-outcome.js';
import type { TsigKey } from './tsig-key.js';

/** What Marshal needs to send an RFC 2136 update signed with TSIG. */
export interface DnsUpdateSender {
  send(update: DnsUpdate, server: DnsServer, key: TsigKey, signal?: AbortSignal): Promise<UpdateOutcome>;
}

/**
 * Updates sent by Knot's `knsupdate` (Debian knot-dnsutils), which builds, signs (TSIG) and verifies the
 * messages: no DNS or TSIG code of Marshal's own. The script, secret included, goes to its stdin, so the
 * secret is never on a command line another process could read.
 */
export class KnsupdateSender implements DnsUpdateSender {
  constructor(
    private readonly options: { binary?: string; timeoutSeconds?: number; retries?: number } = {},
  ) {}

  send(update: DnsUpdate, server: DnsServer, key: TsigKey, signal?: AbortSignal): Promise<UpdateOutcome> {
    const script = knsupdateScript(update, server, key);
    const args = ['-t', String(this.options.timeoutSeconds ?? 5), '-r', String(this.options.retries ?? 1)];
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.binary ?? 'knsupdate', args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        signal,
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve(readKnsupdateOutcome(code, output)));
      child.stdin.on('error', () => undefined); // knsupdate may exit before reading all; its exit code tells.
      child.stdin.end(script);
    });
  }
}
