import { Client, type SFTPWrapper } from 'ssh2';
import type { Host } from '../../src/hosts/host.js';
import { modernAlgorithms } from '../../src/hosts/ssh/index.js';
import type { HostKeyPolicy } from '../../src/hosts/ssh/host-key-policy.js';

/** The bare ssh2 calls both bare variants make: no pool, no retries, no timeouts beyond the handshake's. */

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export async function pool<T>(
  items: readonly T[],
  n: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export function bareConnect(host: Host, key: Buffer, hostKeys: HostKeyPolicy): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('ready', () => resolve(client));
    // `on`, not `once`: a connect that fails can emit a second error (e.g. the timeout, then the socket
    // closing before the handshake), and an unheard one would end the process.
    client.on('error', (err) => {
      reject(err);
      client.end();
    });
    client.connect({
      host: host.address,
      port: host.port,
      username: host.user,
      privateKey: key,
      algorithms: modernAlgorithms(),
      readyTimeout: 20_000,
      hostVerifier: (k: Buffer) => hostKeys.check(host, k) === undefined,
    });
  });
}

/** Runs `text`; `stdin`, when given, is written and closed (a command that reads it sees its end). */
export function bareExec(
  client: Client,
  text: string,
  stdin?: string,
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) =>
    client.exec(text, (err, stream) => {
      if (err) return reject(err);
      let code: number | null = null;
      let stdout = '';
      stream.on('exit', (c: number | null) => (code = c));
      stream.on('data', (d: Buffer) => (stdout += d.toString()));
      stream.on('close', () => resolve({ code, stdout }));
      stream.stderr.resume();
      if (stdin !== undefined) stream.end(stdin);
    }),
  );
}

/** Runs `text`; throws unless it exits 0. */
export async function bareMust(client: Client, host: Host, text: string, what: string): Promise<string> {
  const r = await bareExec(client, text);
  if (r.code !== 0) throw new Error(`bare: ${what} failed on ${host.name} (exit ${r.code})`);
  return r.stdout;
}

export function bareSftp(client: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp))));
}

export async function bareUpload(client: Client, path: string, content: string, mode: number): Promise<void> {
  const sftp = await bareSftp(client);
  try {
    await new Promise<void>((resolve, reject) =>
      sftp.writeFile(path, content, { mode }, (e) => (e ? reject(e) : resolve())),
    );
  } finally {
    sftp.end();
  }
}
