import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  watch,
  writeFileSync,
  type FSWatcher,
} from 'node:fs';
import { join } from 'node:path';
import { Host } from '../../hosts/host.js';
import { loopbackBlock, randomLoopbackAddress } from './addresses.js';
import { FleetHost, PRIVATE_MOUNTS, REBOOT_REQUEST, generateEd25519 } from './fleet-host.js';
import { HostLauncher } from './host-launcher.js';
import { isAlive, processesInNamespaces, signalAll } from './namespace-processes.js';
import { HOOK_BIN_DIR } from './sshd-config.js';

export interface SshFleetOptions {
  count: number;
  /** Prefix of host names (`<name>-001`…); default `fleet`. */
  name?: string;
  /** A host's name from its index, instead of `<name>-<index+1>` (e.g. named after its role). */
  hostName?: (index: number) => string;
  /** Port every host listens on (each has its own address); default 22. */
  port?: number;
  /** sshd_config entries replacing the defaults on every host (e.g. LEGACY_ONLY_SSHD_ALGORITHMS). */
  sshdOverrides?: Record<string, string>;
  /** /etc/os-release text per host index; default Debian 12 everywhere. */
  osRelease?: (index: number) => string;
  /** How many hosts start at once; default 32. */
  concurrency?: number;
  /** How long a host stays down (sshd gone) when it runs `reboot` itself; default 1000 ms. */
  rebootDownMs?: number;
}

/** One reboot a host asked for itself; times in ms since the epoch. */
export interface SelfReboot {
  host: string;
  bootId: string;
  /** When the host's `reboot` wrote its request (the request file's mtime). */
  requestedAt: number;
  /** When the fleet saw the request and began the power-off. */
  downAt: number;
  /** When every process of the host was gone (sshd refusing connections). */
  offAt: number;
  /** When its down time was over and it began to boot (boot loader, then sshd's start). */
  bootAt: number;
  /** When its new sshd answered with a banner. */
  upAt: number;
}

/** When a power cycle's steps were done (ms since the epoch). */
interface PowerCycleTimes {
  offAt?: number;
  bootAt?: number;
}

/** Where fleets keep their files; outside /tmp because each host binds its own /tmp. */
export const FLEETS_ROOT = process.env.MARSHAL_FLEET_DIR ?? '/var/tmp/marshal-fleets';

const live = new Set<SshFleet>();
let exitHookInstalled = false;

/**
 * N real OpenSSH servers on loopback addresses, each in its own mount namespace with private
 * config, certificate, state and /tmp directories (see PRIVATE_MOUNTS). For tests, benchmarks and
 * the local demo. Clients authenticate as root with the fleet's ed25519 key and verify host keys
 * against the fleet's known_hosts.
 */
export class SshFleet {
  private readonly byName = new Map<string, FleetHost>();
  private stopped = false;
  private readonly watchers: FSWatcher[] = [];
  private readonly rebooting = new Set<string>();
  /**
   * Reboots hosts asked for themselves (`reboot` on the host): the boot id each came back with, and when
   * it went down and answered again (ms since the epoch), to tell which hosts were down at once.
   */
  readonly selfReboots: SelfReboot[] = [];
  rebootDownMs = 1000;
  /** What runs while a host is down, before it boots again (a boot loader: see ab-slots.ts). */
  private readonly bootHooks: ((host: FleetHost) => void)[] = [];
  /** Hosts told to stay down longer at their reboots, or never to come back. */
  private readonly rebootBehaviour = new Map<string, { extraDownMs?: number; neverBack?: boolean }>();

  private constructor(
    readonly dir: string,
    readonly knownHostsPath: string,
    readonly privateKeyPath: string,
    readonly publicKey: string,
    private readonly members: FleetHost[],
    private readonly launcher: HostLauncher,
  ) {
    for (const m of members) this.byName.set(m.name, m);
  }

  get hosts(): Host[] {
    return this.members.map((m) =>
      Host.parse({ name: m.name, address: m.address, port: m.port, user: 'root', tags: ['fleet'] }),
    );
  }

  static async start(options: SshFleetOptions): Promise<SshFleet> {
    if (!Number.isInteger(options.count) || options.count < 1 || options.count > 5000) {
      throw new Error(`SshFleet.start: count must be an integer from 1 to 5000, got ${options.count}`);
    }
    reapAbandonedFleets();
    for (const dir of [
      ...Object.values(PRIVATE_MOUNTS).filter((p) => !p.startsWith('/proc') && p !== '/etc/os-release'),
      '/run/sshd',
    ]) {
      mkdirSync(dir, { recursive: true });
    }
    const name = options.name ?? 'fleet';
    const dir = join(FLEETS_ROOT, `${name}-${randomBytes(4).toString('hex')}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'owner.pid'), String(process.pid));
    const privateKeyPath = join(dir, 'client_ed25519');
    const clientPublicKey = await generateEd25519(privateKeyPath, `marshal-fleet-${name}`);
    const authorizedKeysPath = join(dir, 'authorized_keys');
    writeFileSync(authorizedKeysPath, `${clientPublicKey}\n`);

    const port = options.port ?? 22;
    const addresses = loopbackBlock(options.count);
    const launcher = new HostLauncher();
    const members = addresses.map(
      (address, i) =>
        new FleetHost({
          name: options.hostName?.(i) ?? `${name}-${String(i + 1).padStart(3, '0')}`,
          dir: join(dir, 'hosts', String(i + 1)),
          address,
          port,
          authorizedKeysPath,
          sshdOverrides: options.sshdOverrides,
          osRelease: options.osRelease?.(i),
          launcher,
        }),
    );
    const fleet = new SshFleet(
      dir,
      join(dir, 'known_hosts'),
      privateKeyPath,
      clientPublicKey,
      members,
      launcher,
    );
    live.add(fleet);
    installExitHook();
    try {
      await inBatches(members, options.concurrency ?? 32, async (m) => {
        await m.prepare();
        for (let attempt = 0; ; attempt++) {
          try {
            await m.start();
            return;
          } catch (err) {
            // Another fleet (or service) holds this address, or sshd died while starting on a busy
            // machine (its stderr may not have arrived yet to say why): try again on a fresh address.
            if (attempt >= 3) throw err;
            m.address = randomLoopbackAddress();
          }
        }
      });
      fleet.writeKnownHosts();
      fleet.rebootDownMs = options.rebootDownMs ?? 1000;
      for (const m of members) fleet.watchRebootRequests(m);
      return fleet;
    } catch (err) {
      await fleet.stopAll();
      throw err;
    }
  }

  /** Rewrites known_hosts from the hosts' current keys (changeHostKey deliberately does not). */
  writeKnownHosts(): void {
    writeFileSync(this.knownHostsPath, this.members.map((m) => m.knownHostsLine()).join('\n') + '\n');
  }

  member(host: Host | string): FleetHost {
    const name = typeof host === 'string' ? host : host.name;
    const m = this.byName.get(name);
    if (!m) throw new Error(`no fleet host named ${name}`);
    return m;
  }

  /** Where a path inside one host's private mounts lies on this machine (to read or plant files). */
  localPath(host: Host | string, pathOnHost: string): string {
    const m = this.member(host);
    const table: [string, string][] = [
      [PRIVATE_MOUNTS.apps, m.dirs.apps],
      [PRIVATE_MOUNTS.ssl, m.dirs.ssl],
      [PRIVATE_MOUNTS.state, m.dirs.state],
      [PRIVATE_MOUNTS.tmp, m.dirs.tmp],
      [PRIVATE_MOUNTS.home, m.dirs.home],
    ];
    if (pathOnHost === PRIVATE_MOUNTS.osRelease) return m.dirs.osRelease;
    for (const [prefix, local] of table) {
      if (pathOnHost === prefix || pathOnHost.startsWith(`${prefix}/`))
        return local + pathOnHost.slice(prefix.length);
    }
    throw new Error(
      `${pathOnHost} is not private to a fleet host; private paths: ${Object.values(PRIVATE_MOUNTS).join(', ')}`,
    );
  }

  stop(host: Host | string): Promise<void> {
    return this.member(host).stop();
  }

  start(host: Host | string): Promise<void> {
    return this.member(host).start();
  }

  /**
   * A host's own `reboot` (the hook in its bin/) leaves a request in its state directory: the host goes
   * down (every process, the session that asked too), stays down `rebootDownMs`, and boots with a new boot
   * id, as a real reboot does. Watched with inotify (one descriptor for all hosts), not polled.
   */
  private watchRebootRequests(m: FleetHost): void {
    const handle = (): void => {
      if (this.stopped || this.rebooting.has(m.name)) return;
      let requestedAt: number;
      try {
        requestedAt = statSync(join(m.dirs.state, REBOOT_REQUEST)).mtimeMs;
      } catch {
        return;
      }
      const downAt = Date.now();
      const times: PowerCycleTimes = {};
      void this.reboot(m.name, { downMs: this.rebootDownMs }, times)
        .then((bootId) =>
          this.selfReboots.push({
            host: m.name,
            bootId,
            requestedAt,
            downAt,
            offAt: times.offAt ?? downAt,
            bootAt: times.bootAt ?? downAt,
            upAt: Date.now(),
          }),
        )
        .catch(() => {
          // The fleet was stopped meanwhile; nothing left to boot.
        });
    };
    try {
      this.watchers.push(watch(m.dirs.state, (_event, file) => file === REBOOT_REQUEST && handle()));
    } catch {
      // No inotify watch left on this machine: this host's own `reboot` stays a request nobody serves.
    }
  }

  /** Power off, stay down `downMs`, boot with a new boot id, an empty /tmp and no reboot-required marker. */
  async reboot(
    host: Host | string,
    options: { downMs?: number } = {},
    /** Filled in as it goes. */
    times: PowerCycleTimes = {},
  ): Promise<string> {
    const m = this.member(host);
    this.rebooting.add(m.name);
    try {
      return await this.powerCycle(m, options.downMs, times);
    } finally {
      this.rebooting.delete(m.name);
    }
  }

  /** Runs `hook` while each host is down at every reboot, before it boots (what its boot loader does). */
  onBoot(hook: (host: FleetHost) => void): void {
    this.bootHooks.push(hook);
  }

  /**
   * How a host behaves at its next reboots: `extraDownMs` more down time (a slow host), or `neverBack`
   * (it powers off and stays off). `{}` makes it normal again.
   */
  setRebootBehaviour(host: Host | string, behaviour: { extraDownMs?: number; neverBack?: boolean }): void {
    this.rebootBehaviour.set(this.member(host).name, behaviour);
  }

  private async powerCycle(
    m: FleetHost,
    downMs: number | undefined,
    times: PowerCycleTimes,
  ): Promise<string> {
    await m.stop();
    times.offAt = Date.now();
    rmSync(join(m.dirs.state, REBOOT_REQUEST), { force: true });
    const behaviour = this.rebootBehaviour.get(m.name) ?? {};
    if (behaviour.neverBack) throw new Error(`${m.name} was told never to come back`);
    const down = (downMs ?? 0) + (behaviour.extraDownMs ?? 0);
    if (down) await new Promise((r) => setTimeout(r, down));
    if (this.stopped) throw new Error(`fleet stopped while ${m.name} was down`);
    times.bootAt = Date.now();
    for (const hook of this.bootHooks) hook(m);
    rmSync(m.dirs.tmp, { recursive: true, force: true });
    mkdirSync(m.dirs.tmp, { mode: 0o1777 });
    rmSync(join(m.dirs.state, 'reboot-required'), { force: true });
    const bootId = m.newBootId();
    await m.start();
    return bootId;
  }

  bootId(host: Host | string): string {
    return readFileSync(this.member(host).dirs.bootId, 'utf8').trim();
  }

  freeze(host: Host | string): void {
    this.member(host).freeze();
  }

  thaw(host: Host | string): void {
    this.member(host).thaw();
  }

  /** A new host key and an sshd restart; known_hosts keeps the old key, as after a reinstall. */
  async changeHostKey(host: Host | string): Promise<void> {
    const m = this.member(host);
    await m.stop();
    await m.newHostKey();
    await m.start();
  }

  setOsRelease(host: Host | string, text: string): void {
    // Written in place: the bind mount holds this inode.
    writeFileSync(this.member(host).dirs.osRelease, text);
  }

  /**
   * Puts an executable on the host's PATH ahead of the system's (`/var/lib/marshal-host/bin`), to
   * make a command slow, fail or answer as a test needs: install(host, 'systemctl', '#!/bin/sh\nexit 1\n').
   */
  install(host: Host | string, command: string, script: string): string {
    const base = command.startsWith(`${HOOK_BIN_DIR}/`) ? command.slice(HOOK_BIN_DIR.length + 1) : command;
    if (!/^[A-Za-z0-9._+-]+$/.test(base)) {
      throw new Error(`install: command must be a plain name or ${HOOK_BIN_DIR}/<name>, got ${command}`);
    }
    writeFileSync(join(this.member(host).dirs.state, 'bin', base), script, { mode: 0o755 });
    return `${HOOK_BIN_DIR}/${base}`;
  }

  /** Stops every host, removes every file. Safe to call twice. */
  async stopAll(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const w of this.watchers) w.close();
    killHosts(this.members.map((m) => ({ namespaces: m.namespaces, owner: m.dirs.sshdConfig })));
    await Promise.all(this.members.map((m) => m.stop()));
    this.launcher.close();
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }

  /** Synchronous last resort for process exit. */
  killNow(): void {
    this.launcher.kill();
    killHosts(this.members.map((m) => ({ namespaces: m.namespaces, owner: m.dirs.sshdConfig })));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Power-cuts hosts: each host's own processes only (see processesInNamespaces). */
function killHosts(hosts: { namespaces: ReadonlySet<string>; owner: string }[]): void {
  const pids = hosts.flatMap((h) => [...processesInNamespaces(h.namespaces, h.owner).values()].flat());
  signalAll(pids, 'SIGSTOP');
  signalAll(pids, 'SIGKILL');
}

async function inBatches<T>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const runners = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length && errors.length === 0) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (err) {
        errors.push(err);
      }
    }
  });
  await Promise.all(runners);
  if (errors.length > 0) throw errors[0];
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const fleet of live) fleet.killNow();
  });
}

/** Fleets left behind by a test process that was killed: their sshds are stopped, their files removed. */
function reapAbandonedFleets(): void {
  if (!existsSync(FLEETS_ROOT)) return;
  for (const entry of readdirSync(FLEETS_ROOT)) {
    const dir = join(FLEETS_ROOT, entry);
    let owner = 0;
    try {
      owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
    } catch {
      continue;
    }
    if (owner > 0 && isAlive(owner)) continue;
    const hosts: { namespaces: Set<string>; owner: string }[] = [];
    const hostsDir = join(dir, 'hosts');
    if (existsSync(hostsDir)) {
      for (const h of readdirSync(hostsDir)) {
        try {
          const recorded = readFileSync(join(hostsDir, h, 'namespaces'), 'utf8').split('\n');
          hosts.push({
            namespaces: new Set(recorded.filter(Boolean)),
            owner: join(hostsDir, h, 'sshd_config'),
          });
        } catch {
          // never started
        }
      }
    }
    killHosts(hosts);
    rmSync(dir, { recursive: true, force: true });
  }
}
