import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { FLEET_SERVICE_DIR, SshFleet, httpServerRunScript, installFleetService } from '../fleet/index.js';
import { LocalHaproxy } from '../haproxy.js';
import { LocalRedis } from '../redis-server.js';
import { SlackStandin } from '../slack-standin/index.js';
import { startServer, type Server, type ServerOptions } from '../../app/start-server.js';
import { loadMarshalConfig } from '../../config/marshal-config.js';
import type { Logger } from '../../log/index.js';

export const DEMO_CHANNEL = 'C0MARSHAL';
export const DEMO_REQUESTER = 'U0ALICE';
export const DEMO_APPROVER = 'U0BOB';
export const DEMO_BOT_TOKEN = 'xoxb-0-0-marshal-local-demo';

/**
 * Marshal's own bundles, found from this file rather than the working directory: the local run works
 * from anywhere (`node <repo>/bin/marshal.js demo` in /tmp).
 */
export const PACKAGE_BUNDLES_DIR = fileURLToPath(new URL('../../../bundles', import.meta.url));

/** The local fleet's roles: every fourth host is an API host, the others web hosts. */
export function demoRole(index: number): 'web' | 'api' {
  return index % 4 === 3 ? 'api' : 'web';
}

/** Host names say their role (`web-001`, `api-004`); the number is the host's place in the fleet. */
export function demoHostName(index: number): string {
  return `${demoRole(index)}-${String(index + 1).padStart(3, '0')}`;
}

/**
 * What the local run stands on, all on this machine: a Redis (unless REDIS_URL is given), a fleet of
 * real sshd hosts on loopback, the Slack Web API stand-in, and the config and inventory files that
 * point Marshal at them. The same environment serves the end-to-end tests and the benchmarks.
 */
export class DemoEnvironment {
  private constructor(
    readonly redisUrl: string,
    readonly fleet: SshFleet,
    readonly standin: SlackStandin,
    readonly configPath: string,
    readonly signingSecret: string,
    readonly prefix: string,
    /** The config, inventory and anything else of this environment's own (removed by `stop`). */
    readonly dir: string,
    private readonly redis: LocalRedis | undefined,
    /** HAProxy in front of the web tier, when there is one. */
    readonly haproxy: LocalHaproxy | undefined,
  ) {}

  static async start(options: {
    hosts: number;
    bundlesDir?: string;
    redisUrl?: string;
    /**
     * Every host serves HTTP on WEB_TIER_PORT (its own www directory, under runit, started at boot), in
     * racks (`rack` var) behind HAProxy (backend `web`, one server per host, named after it), which
     * Marshal's config names as its load balancer.
     */
    webTier?: boolean;
    /** Access to workflows besides config push: name → who may start and approve. */
    access?: Record<string, { start: string[]; approve: string[] }>;
    /** Directories of workflow modules Marshal loads besides its built-ins (config `workflows:`). */
    workflows?: string[];
    /** OS user → Slack user id a terminal acts as (config `access.cli.users`); default none. */
    cliUsers?: Record<string, string>;
  }): Promise<DemoEnvironment> {
    const redis = options.redisUrl ? undefined : await LocalRedis.start();
    const redisUrl = options.redisUrl ?? redis!.url;
    let fleet: SshFleet | undefined;
    let haproxy: LocalHaproxy | undefined;
    let standin: SlackStandin | undefined;
    let dir: string | undefined;
    try {
      fleet = await SshFleet.start({ count: options.hosts, name: 'demo', hostName: demoHostName });
      standin = await SlackStandin.start({
        token: DEMO_BOT_TOKEN,
        users: [
          { id: DEMO_REQUESTER, name: 'alice', realName: 'Alice (on call)' },
          { id: DEMO_APPROVER, name: 'bob', realName: 'Bob (platform lead)' },
        ],
        usergroups: [{ id: 'S0PLATFORM', handle: 'platform', users: [DEMO_REQUESTER, DEMO_APPROVER] }],
      });
      dir = mkdtempSync(join(tmpdir(), 'marshal-demo-'));
      const bundlesDir = options.bundlesDir ?? PACKAGE_BUNDLES_DIR;
      installRateLimiter(fleet, bundlesDir);
      if (options.webTier) haproxy = await startWebTier(fleet);
      const configPath = writeDemoConfig(dir, fleet, bundlesDir, {
        ...(haproxy ? { haproxy } : {}),
        access: options.access ?? {},
        workflows: options.workflows ?? [],
        cliUsers: options.cliUsers ?? {},
      });
      return new DemoEnvironment(
        redisUrl,
        fleet,
        standin,
        configPath,
        randomBytes(16).toString('hex'),
        `marshal-demo-${randomBytes(3).toString('hex')}`,
        dir,
        redis,
        haproxy,
      );
    } catch (err) {
      // Everything started so far is stopped, or the process would stay up on the stand-in's server.
      await haproxy?.stop();
      await standin?.stop();
      await fleet?.stopAll();
      await redis?.destroy();
      if (dir) rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Marshal's real server (Bolt app, progress threads, engine, workers) pointed at this environment. */
  async startServer(options: {
    logger: Logger;
    workers?: ServerOptions['workers'];
    updateIntervalMs?: number;
    console?: ServerOptions['console'];
  }): Promise<Server> {
    return startServer({
      settings: {
        slack: {
          botToken: DEMO_BOT_TOKEN,
          signingSecret: this.signingSecret,
          appToken: undefined,
          apiUrl: this.standin.url,
        },
        redisUrl: this.redisUrl,
        port: 0,
        configPath: this.configPath,
        prefix: this.prefix,
        // Its own Redis persists (see LocalRedis); a REDIS_URL given to the demo may be a throwaway one.
        allowEphemeralRedis: ['1', 'true', 'yes'].includes(process.env.MARSHAL_ALLOW_EPHEMERAL_REDIS ?? ''),
      },
      config: await loadMarshalConfig(this.configPath),
      logger: options.logger,
      host: '127.0.0.1',
      port: 0,
      whenRedisIsDown: 'fail',
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(options.updateIntervalMs !== undefined ? { updateIntervalMs: options.updateIntervalMs } : {}),
      ...(options.console !== undefined ? { console: options.console } : {}),
    });
  }

  private stopping: Promise<void> | undefined;

  /** Stops everything and removes its files; once, however often it is called (a signal during a stop). */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      try {
        await this.haproxy?.stop();
        await this.standin.stop();
        await this.fleet.stopAll();
        await this.redis?.destroy();
      } finally {
        rmSync(this.dir, { recursive: true, force: true });
      }
    })();
    return this.stopping;
  }
}

/**
 * The gateway is "installed" on every host, running last quarter's rate-limiter config (the public API
 * allowed 80 req/s then), so a push has a real file to back up, diff and replace.
 */
export function installRateLimiter(fleet: SshFleet, bundlesDir: string): void {
  const current = readFileSync(join(bundlesDir, 'rate-limiter', 'rate-limiter.yaml'), 'utf8');
  const previous = current.replace(/rate: 100\b/, 'rate: 80').replace(/burst: 200\b/, 'burst: 160');
  for (const host of fleet.hosts) {
    const dir = fleet.localPath(host, '/etc/marshal-apps/rate-limiter');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'rate-limiter.yaml'), previous);
    writeFileSync(join(dir, 'loaded.yaml'), previous);
  }
}

export const WEB_TIER_PORT = 8080;
export const WEB_TIER_WWW = '/var/lib/marshal-host/www';

/** Each host serves its name from its www directory under runit; HAProxy balances over all of them. */
export async function startWebTier(fleet: SshFleet): Promise<LocalHaproxy> {
  for (const host of fleet.hosts) {
    installFleetService(fleet, host, 'web', httpServerRunScript(host.address, WEB_TIER_PORT, WEB_TIER_WWW));
    mkdirSync(fleet.localPath(host, WEB_TIER_WWW), { recursive: true });
    writeFileSync(fleet.localPath(host, `${WEB_TIER_WWW}/index.html`), `${host.name}\n`);
  }
  // The service starts at boot, as it would on a real host.
  await Promise.all(fleet.hosts.map((h) => fleet.reboot(h)));
  return LocalHaproxy.start({
    backends: [
      {
        name: 'web',
        servers: fleet.hosts.map((h) => ({ name: h.name, address: h.address, port: WEB_TIER_PORT })),
      },
    ],
  });
}

/**
 * Inventory: the fleet split into web and api roles over two regions (with a web tier: in two racks,
 * services under runit); config: who may do what, and the load balancer.
 */
function writeDemoConfig(
  dir: string,
  fleet: SshFleet,
  bundlesDir: string,
  options: {
    haproxy?: LocalHaproxy;
    access: Record<string, { start: string[]; approve: string[] }>;
    workflows: string[];
    cliUsers: Record<string, string>;
  },
): string {
  const hosts: Record<string, unknown> = {};
  fleet.hosts.forEach((host, i) => {
    hosts[host.name] = {
      address: host.address,
      port: host.port,
      user: host.user,
      role: demoRole(i),
      region: i % 2 === 0 ? 'eu-west-1' : 'us-east-1',
      tags: ['demo'],
      ...(options.haproxy
        ? { vars: { rack: `rack-${(i % 2) + 1}`, service_manager: `runit:${FLEET_SERVICE_DIR}` } }
        : {}),
    };
  });
  writeFileSync(join(dir, 'inventory.yaml'), stringify({ version: 1, hosts }));
  const config = {
    inventory: 'inventory.yaml',
    bundles: bundlesDir,
    configRoots: ['/etc/marshal-apps'],
    ssh: { privateKey: fleet.privateKeyPath, knownHosts: fleet.knownHostsPath },
    workflows: options.workflows,
    ...(options.haproxy ? { loadBalancer: { haproxy: { socket: options.haproxy.socket } } } : {}),
    access: {
      workflows: {
        'config-push': {
          // A terminal cannot ask Slack who is in a user group: the users it acts as are named too.
          start: ['S0PLATFORM', ...new Set(Object.values(options.cliUsers))],
          approve: ['S0PLATFORM'],
        },
        ...options.access,
      },
      ...(Object.keys(options.cliUsers).length ? { cli: { users: options.cliUsers } } : {}),
    },
  };
  const path = join(dir, 'marshal.yaml');
  writeFileSync(path, stringify(config));
  return path;
}
