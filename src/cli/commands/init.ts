import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface, type Interface } from 'node:readline/promises';
import { pino } from 'pino';
import ssh2 from 'ssh2';
import { Host } from '../../hosts/host.js';
import { sh } from '../../hosts/quote.js';
import { SshExecutor } from '../../hosts/ssh/index.js';
import { fetchHostKey, type PresentedHostKey } from '../../init/fetch-host-key.js';
import { firstDryRun, initFiles } from '../../init/init-files.js';
import { InitError } from '../../init/init-error.js';
import { parseInitHosts, type InitHost } from '../../init/init-hosts.js';

export interface InitOptions {
  hosts?: string;
  user?: string;
  key?: string;
  owner?: string;
  configRoot: string;
  yes: boolean;
}

type Print = (line: string) => void;

/**
 * `marshal init [dir]`: from nothing to a config for your own hosts. Asks (or takes as flags) the hosts,
 * the SSH user and key and the owner, reads each host's key and shows its fingerprint, trusts the keys
 * only when the operator confirms them (or `--yes`, with the fingerprints printed), writes the config,
 * inventory, known_hosts and a first bundle, checks that the key logs in, and prints the dry run to try.
 */
export async function initCommand(dir: string, options: InitOptions): Promise<number> {
  const print: Print = (line) => process.stdout.write(`${line}\n`);
  const root = resolve(dir);
  const configPath = join(root, 'marshal.yaml');
  if (existsSync(configPath))
    throw new InitError(`${configPath} already exists: choose another directory, or remove it first`);
  const tty = process.stdin.isTTY
    ? createInterface({ input: process.stdin, output: process.stdout })
    : undefined;
  try {
    const hosts = parseInitHosts(
      await answer(tty, options.hosts, '--hosts', 'Hosts (name=address[:port] or address, comma-separated)'),
    );
    const user = await answer(tty, options.user, '--user', 'SSH user Marshal logs in as', 'root');
    if (!/^[A-Za-z0-9._-]+$/.test(user)) throw new InitError(`--user '${user}' is not a user name`);
    const key = resolve(
      expandHome(await answer(tty, options.key, '--key', 'Private key Marshal logs in with', defaultKey())),
    );
    checkPrivateKey(key);
    const owner = await answer(
      tty,
      options.owner,
      '--owner',
      'Your Slack user id (U…), alerted when a push fails and allowed to run config push',
    );
    if (!/^[UWS][A-Z0-9]{2,}$/.test(owner))
      throw new InitError(`--owner '${owner}' is not a Slack user id (U…/W…) or user group id (S…)`);
    if (!/^\/[^\0]*[^/]$/.test(options.configRoot))
      throw new InitError(
        `--config-root '${options.configRoot}' must be an absolute directory without a trailing /`,
      );

    const presented = await readHostKeys(hosts, print);
    await confirmHostKeys(tty, presented, options.yes, print);

    const files = initFiles({
      hosts,
      user,
      privateKey: key,
      owner,
      osUser: userInfo().username,
      configRoot: options.configRoot,
      knownHosts: presented.map((p) => p.knownHostsLine),
    });
    for (const [path, text] of Object.entries(files)) {
      const full = join(root, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text, { flag: 'wx' });
    }
    print('');
    print(`Wrote ${root}/: marshal.yaml, inventory.yaml, known_hosts, bundles/marshal-hello/`);

    const ready = await checkLogins(hosts, user, key, join(root, 'known_hosts'), options.configRoot, print);
    print('');
    if (!ready) {
      print('Fix the hosts above (the key in ~/.ssh/authorized_keys, the directory), then try:');
    } else {
      print('Next, see what a push would change (nothing is changed):');
    }
    if (!process.env.REDIS_URL)
      print(
        '  export REDIS_URL=redis://127.0.0.1:6379   # a Redis with persistence (README, "Run it for real")',
      );
    print(`  ${firstDryRun(configPath)}`);
    return ready ? 0 : 1;
  } finally {
    tty?.close();
  }
}

async function answer(
  tty: Interface | undefined,
  given: string | undefined,
  flag: string,
  question: string,
  fallback?: string,
): Promise<string> {
  if (given !== undefined && given.trim() !== '') return given.trim();
  if (!tty)
    throw new InitError(
      `${flag} is missing, and there is no terminal to ask: give ${flag}${fallback ? ` (e.g. ${fallback})` : ''}`,
    );
  for (;;) {
    const typed = (await tty.question(`${question}${fallback ? ` [${fallback}]` : ''}: `)).trim();
    if (typed !== '') return typed;
    if (fallback) return fallback;
  }
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

function defaultKey(): string | undefined {
  const key = join(homedir(), '.ssh', 'id_ed25519');
  return existsSync(key) ? key : undefined;
}

/** The key must be there, be a private key ssh2 reads, and open without a passphrase. */
function checkPrivateKey(path: string): void {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (err) {
    throw new InitError(
      `--key ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  const parsed = ssh2.utils.parseKey(text);
  if (parsed instanceof Error) {
    const encrypted = /passphrase|encrypted/i.test(parsed.message);
    throw new InitError(
      encrypted
        ? `--key ${path} is protected by a passphrase: give Marshal a key of its own without one (ssh-keygen -t ed25519 -N '' -f <path>), readable only by Marshal's user`
        : `--key ${path} is not a private key Marshal can read: ${parsed.message}`,
    );
  }
  if (!parsed.isPrivateKey())
    throw new InitError(`--key ${path} is a public key: give the private key (the file without .pub)`);
}

async function readHostKeys(hosts: readonly InitHost[], print: Print): Promise<PresentedHostKey[]> {
  print(`Reading the host keys of ${hosts.length} ${hosts.length === 1 ? 'host' : 'hosts'} …`);
  const settled = await Promise.allSettled(hosts.map((h) => fetchHostKey(h)));
  const failed = settled.flatMap((s, i) =>
    s.status === 'rejected'
      ? [`${hosts[i]!.name} (${hosts[i]!.address}:${hosts[i]!.port}): ${reason(s.reason)}`]
      : [],
  );
  if (failed.length > 0)
    throw new InitError(`cannot read the host key of ${failed.join('; ')}. Nothing was written`, { failed });
  const presented = settled.map((s) => (s as PromiseFulfilledResult<PresentedHostKey>).value);
  const width = Math.max(...presented.map((p) => `${p.host.name} ${p.host.address}:${p.host.port}`.length));
  for (const p of presented)
    print(
      `  ${`${p.host.name} ${p.host.address}:${p.host.port}`.padEnd(width)}  ${p.type}  ${p.fingerprint}`,
    );
  return presented;
}

/** Trust on first use, only with the operator's word: typed `yes`, or `--yes` with the fingerprints printed. */
async function confirmHostKeys(
  tty: Interface | undefined,
  presented: readonly PresentedHostKey[],
  yes: boolean,
  print: Print,
): Promise<void> {
  print('Compare each with the host’s own: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub (on the host).');
  if (yes) {
    print('Trusted with --yes: the fingerprints above go into known_hosts.');
    return;
  }
  if (!tty)
    throw new InitError(
      'no terminal to confirm the host keys: check the fingerprints above, then run again with --yes. Nothing was written',
    );
  const typed = (await tty.question('Do they match? Type "yes" to trust them: ')).trim().toLowerCase();
  if (typed !== 'yes') throw new InitError('host keys not confirmed: nothing was written');
}

/** Logs in to every host with the trusted keys only, and checks the directory bundles write into. */
async function checkLogins(
  hosts: readonly InitHost[],
  user: string,
  key: string,
  knownHosts: string,
  configRoot: string,
  print: Print,
): Promise<boolean> {
  print('Logging in with the key and the confirmed host keys …');
  const executor = new SshExecutor(
    { knownHostsPath: knownHosts, privateKeyPath: key, readyTimeoutMs: 10_000 },
    { logger: pino({ level: 'silent' }) },
  );
  try {
    const results = await Promise.all(
      hosts.map(async (h) => {
        const host = Host.parse({ name: h.name, address: h.address, port: h.port, user });
        try {
          const r = await executor.exec(
            host,
            sh`uname -sr; if test -d ${configRoot} && test -w ${configRoot}; then echo writable; fi`,
            { timeoutMs: 20_000 },
          );
          const [kernel, writable] = r.stdout.trim().split('\n');
          if (writable !== 'writable') {
            print(
              `  ✗ ${h.name}: ${kernel ?? 'logged in'}, but ${configRoot} is missing or not writable by ${user} (create it: mkdir -p ${configRoot}; chown ${user} ${configRoot})`,
            );
            return false;
          }
          print(`  ✓ ${h.name}: ${kernel}, ${configRoot} writable`);
          return true;
        } catch (err) {
          print(`  ✗ ${h.name}: ${reason(err)}`);
          return false;
        }
      }),
    );
    return results.every(Boolean);
  } finally {
    await executor.close();
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
