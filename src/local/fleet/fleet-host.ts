import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { sh } from '../../hosts/quote.js';
import { renderFstab, type FstabEntry } from './host-fstab.js';
import type { HostLauncher } from './host-launcher.js';
import { debianOsRelease } from './os-release.js';
import { isAlive, mountNamespaceOf, processesInNamespaces, signalAll } from './namespace-processes.js';
import { renderSshdConfig } from './sshd-config.js';

/**
 * The paths each fleet host keeps to itself (bind-mounted in its own mount namespace), so what one
 * host writes there no other host sees:
 *
 *   /etc/marshal-apps          config targets: workflows write /etc/marshal-apps/<app>/<file>
 *   /etc/ssl/marshal           certificates and keys
 *   /etc/os-release            per-host release text (setOsRelease)
 *   /var/lib/marshal-host      host state: boot_id, kernel_version, reboot-required marker, bin/ (hooks, first on PATH),
 *                              rc.local (run at each boot, before sshd), reboot-requested (see REBOOT_REQUEST)
 *   /proc/sys/kernel/random/boot_id   the host's boot id, new after each fleet reboot
 *   /tmp                       per-host scratch, emptied by a reboot
 *   /root                      root's home: fresh per host, so this machine's shell start-up files
 *                              (and their cost) stay out of fleet sessions
 */
export const PRIVATE_MOUNTS = {
  apps: '/etc/marshal-apps',
  ssl: '/etc/ssl/marshal',
  state: '/var/lib/marshal-host',
  osRelease: '/etc/os-release',
  bootId: '/proc/sys/kernel/random/boot_id',
  tmp: '/tmp',
  home: '/root',
} as const;

/**
 * The host's `reboot` (a hook first on PATH, like systemd's) writes this file in the state directory and
 * returns, as a real `reboot` does; the fleet sees it and power-cycles the host (see SshFleet).
 */
export const REBOOT_REQUEST = 'reboot-requested';

/**
 * A small filesystem of the host's own (tmpfs, FLEET_DISK_MB), so `df` on it tells this host's usage and a
 * test can fill it: a full disk is real. Emptied by a reboot, like any tmpfs.
 */
export const FLEET_DISK = `${PRIVATE_MOUNTS.state}/disk`;
export const FLEET_DISK_MB = 16;

/** Run at every boot in the host's namespace, in the background, before sshd starts (like rc.local). */
export const BOOT_SCRIPT = 'rc.local';

const REBOOT_HOOK = `#!/bin/sh
# Fleet stand-in for reboot(8): asks the fleet to power-cycle this host, and returns like systemd's reboot.
: > ${PRIVATE_MOUNTS.state}/${REBOOT_REQUEST}
`;

export interface FleetHostDirs {
  root: string;
  apps: string;
  ssl: string;
  state: string;
  tmp: string;
  home: string;
  osRelease: string;
  bootId: string;
  hostKey: string;
  sshdConfig: string;
  /** The host's private mounts, mounted in its namespace at each start (see host-fstab.ts). */
  fstab: string;
  /** What the launcher runs in the host's new namespace: the mounts, rc.local, then sshd. */
  startScript: string;
  sshdStderr: string;
}

export interface FleetHostOptions {
  name: string;
  dir: string;
  address: string;
  port: number;
  authorizedKeysPath: string;
  sshdOverrides?: Record<string, string>;
  osRelease?: string;
  /** Starts the host's sshd without blocking this process (one per fleet). */
  launcher: HostLauncher;
}

/** One fleet host: a real sshd in its own mount namespace, and the switches tests flip on it. */
export class FleetHost {
  readonly name: string;
  readonly dirs: FleetHostDirs;
  address: string;
  readonly port: number;
  publicHostKey = '';
  /** sshd's pid (its start script's, which execs it) since the last start; undefined once stopped. */
  private pid: number | undefined;
  /** Every namespace this host's processes ever lived in: sessions outlive an sshd restart. */
  readonly namespaces = new Set<string>();

  constructor(private readonly options: FleetHostOptions) {
    this.name = options.name;
    this.address = options.address;
    this.port = options.port;
    const root = options.dir;
    this.dirs = {
      root,
      apps: join(root, 'apps'),
      ssl: join(root, 'ssl'),
      state: join(root, 'state'),
      tmp: join(root, 'tmp'),
      home: join(root, 'home'),
      osRelease: join(root, 'os-release'),
      bootId: join(root, 'state', 'boot_id'),
      hostKey: join(root, 'ssh_host_ed25519_key'),
      sshdConfig: join(root, 'sshd_config'),
      fstab: join(root, 'fstab'),
      startScript: join(root, 'start.sh'),
      sshdStderr: join(root, 'sshd.stderr'),
    };
  }

  get running(): boolean {
    // kill(pid, 0), not a read of /proc/<pid>/stat: that read waits for a process in the middle of an exec,
    // and polled for 50 starting hosts it stalled this process for seconds. A host that ended is reaped
    // by the launcher's bash at once, so a zombie is not taken for a running host for long.
    return this.pid !== undefined && isAlive(this.pid);
  }

  async prepare(): Promise<void> {
    const d = this.dirs;
    for (const dir of [d.apps, d.ssl, join(d.state, 'bin'), join(d.state, 'disk'), d.tmp, d.home])
      mkdirSync(dir, { recursive: true });
    chmodSync(d.tmp, 0o1777);
    writeFileSync(d.osRelease, this.options.osRelease ?? debianOsRelease(12));
    writeFileSync(join(d.state, 'kernel_version'), '6.1.0-marshal-amd64\n');
    writeFileSync(join(d.state, 'bin', 'reboot'), REBOOT_HOOK, { mode: 0o755 });
    this.newBootId();
    await this.newHostKey();
  }

  newBootId(): string {
    const id = randomUUID();
    writeFileSync(this.dirs.bootId, `${id}\n`);
    return id;
  }

  /** ssh-keygen, not ssh2's generator: sshd could not load a few of the keys ssh2 wrote. */
  async newHostKey(): Promise<void> {
    this.publicHostKey = await generateEd25519(this.dirs.hostKey, this.name);
  }

  knownHostsLine(): string {
    const name = this.port === 22 ? this.address : `[${this.address}]:${this.port}`;
    return `${name} ${this.publicHostKey}`;
  }

  /** Starts sshd in a fresh mount namespace with this host's private directories bound in. */
  async start(): Promise<void> {
    if (this.running) return;
    writeFileSync(
      this.dirs.sshdConfig,
      renderSshdConfig({
        listenAddress: this.address,
        port: this.port,
        hostKeyPath: this.dirs.hostKey,
        authorizedKeysPath: this.options.authorizedKeysPath,
        overrides: this.options.sshdOverrides,
      }),
    );
    const d = this.dirs;
    const m = PRIVATE_MOUNTS;
    const bind = (source: string, target: string): FstabEntry => ({
      source,
      target,
      type: 'none',
      options: 'bind',
    });
    writeFileSync(
      d.fstab,
      renderFstab([
        bind(d.apps, m.apps),
        bind(d.ssl, m.ssl),
        bind(d.state, m.state),
        bind(d.osRelease, m.osRelease),
        bind(d.bootId, m.bootId),
        bind(d.home, m.home),
        bind(d.tmp, m.tmp),
        {
          source: 'marshal-disk',
          target: FLEET_DISK,
          type: 'tmpfs',
          options: `size=${FLEET_DISK_MB}m,mode=0755`,
        },
      ]),
    );
    const boot = `${m.state}/${BOOT_SCRIPT}`;
    const script = sh`set -e
mount --all --fstab ${d.fstab}
if [ -x ${boot} ]; then ${boot} </dev/null >/dev/null 2>&1 & fi
exec /usr/sbin/sshd -D -e -f ${d.sshdConfig}`;
    writeFileSync(d.startScript, script.text);
    const pid = await this.options.launcher.launch(d.startScript, d.sshdStderr);
    this.pid = pid;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(
          `sshd for ${this.name} on ${this.address}:${this.port} exited: ${this.lastStderr.trim()}`,
        );
      }
      if (await answersWithBanner(this.address, this.port)) {
        const ns = mountNamespaceOf(pid);
        if (ns) {
          this.namespaces.add(ns);
          writeFileSync(join(d.root, 'namespaces'), [...this.namespaces].join('\n'));
        }
        return;
      }
      await sleep(15);
    }
    throw new Error(`sshd for ${this.name} did not answer within 15 s: ${this.lastStderr.trim()}`);
  }

  /** The end of what this host's sshd (and its start script) last wrote on stderr. */
  get lastStderr(): string {
    try {
      return readFileSync(this.dirs.sshdStderr, 'utf8').slice(-4000);
    } catch {
      return '';
    }
  }

  /** Power off: every process of the host (sshd, sessions, their commands) stopped, then killed. */
  async stop(): Promise<void> {
    for (;;) {
      const pids = [...processesInNamespaces(this.namespaces, this.dirs.sshdConfig).values()].flat();
      if (pids.length === 0) break;
      // Stopping first keeps sshd from reporting its children's deaths: a power cut says nothing.
      signalAll(pids, 'SIGSTOP');
      signalAll(pids, 'SIGKILL');
      await sleep(10);
    }
    this.pid = undefined;
  }

  freeze(): void {
    signalAll([...processesInNamespaces(this.namespaces, this.dirs.sshdConfig).values()].flat(), 'SIGSTOP');
  }

  thaw(): void {
    signalAll([...processesInNamespaces(this.namespaces, this.dirs.sshdConfig).values()].flat(), 'SIGCONT');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function answersWithBanner(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('data', (d: Buffer) => done(d.toString('latin1').startsWith('SSH-2.0-')));
    socket.once('error', () => done(false));
  });
}

/** Writes an ed25519 key pair (path, path.pub) with ssh-keygen; returns `ssh-ed25519 AAAA…`. */
export function generateEd25519(path: string, comment: string): Promise<string> {
  rmSync(path, { force: true });
  rmSync(`${path}.pub`, { force: true });
  return new Promise((resolve, reject) => {
    const child = spawn('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`ssh-keygen failed (${code}): ${stderr.trim()}`));
      resolve(readFileSync(`${path}.pub`, 'utf8').split(' ').slice(0, 2).join(' '));
    });
  });
}
