import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { stringify as toYaml } from 'yaml';
import { RedisWorkflowRecords } from '../../src/records/redis-workflow-records.js';
import { RedisAuditLog } from '../../src/audit/index.js';
import { DirectoryBundleStore } from '../../src/bundles/bundle-store.js';
import {
  createEngine,
  createRegistry,
  type EngineRuntime,
  type RunSnapshot,
} from '../../src/engine/index.js';
import { createHostBlocks } from '../../src/hosts/blocks/index.js';
import { Host } from '../../src/hosts/host.js';
import { SshExecutor } from '../../src/hosts/ssh/index.js';
import { StaticInventory } from '../../src/inventory/inventory.js';
import type { MarshalDeps } from '../../src/kit/index.js';
import { compileWorkflowModule } from '../../src/kit/template.js';
import { FleetSlots, abSlotProfile } from '../../src/local/fleet/ab-slots.js';
import { SshFleet } from '../../src/local/fleet/index.js';
import { ImageServer, buildSlotImage, releaseOsRelease, type SlotImage } from '../../src/local/os-images.js';
import { silentLogger } from '../../src/log/index.js';
import { signCatalog } from '../../src/osupgrade/index.js';
import osUpgrade from '../../workflows/os-upgrade.js';
import osUpgradeStatus from '../../workflows/os-upgrade-status.js';
import { uniquePrefix } from './redis.js';

export const REQUESTER = 'U0REQUESTER';
export const APPROVER = 'U0APPROVER';
export const CHECKS = ['system-validation', 'sample-application', 'traffic-replay'];

/** Alerts the workflow posted in its thread, kept for the tests to read. */
export interface Posted {
  runId: string;
  title: string;
  text: string;
  /** Set for an image (text is its alt text). */
  png?: Buffer;
}

/**
 * The OS upgrade's world: an sshd fleet whose hosts have two slots (abctl) and start on Debian 12.5, a
 * real HTTP image server on loopback with the images of the releases, a catalog signed with a fresh
 * Ed25519 key (its public half in the workflow's settings), the real engine on the test Redis.
 */
export class OsUpgradeWorld {
  private constructor(
    /** What the workflows posted in their threads. */
    readonly posted: Posted[],
    readonly fleet: SshFleet,
    readonly slots: FleetSlots,
    readonly images: ImageServer,
    readonly inventory: StaticInventory,
    readonly executor: SshExecutor,
    readonly engine: EngineRuntime,
    readonly dir: string,
    readonly keys: { publicKey: string; privateKey: string },
    /** The OS upgrade's records (what it remembers per host and release), as the workflow keeps them. */
    readonly records: RedisWorkflowRecords,
    /** The audit chain the workflows append to (through their own instances), to read back. */
    readonly audit: RedisAuditLog,
    private readonly redis: Redis,
    /** What test/support/os-upgrade-worker.ts needs to work on this world from its own process. */
    readonly workerEnv: Record<string, string>,
  ) {}

  static async start(
    redisUrl: string,
    options: {
      hosts: number;
      dcs?: (i: number) => string;
      rebootDownMs?: number;
      workers?: boolean;
      /** Jobs the in-process workers take at once (default 8); a rollout's concurrency needs as many. */
      workerConcurrency?: number;
      /** How long a host may take to come back (settings `rebootTimeoutMs`; default 20 s). */
      rebootTimeoutMs?: number;
      /** How long an SSH handshake may take (default 5 s; a machine under heavy load needs more). */
      readyTimeoutMs?: number;
    },
  ): Promise<OsUpgradeWorld> {
    const dir = mkdtempSync(join(tmpdir(), 'marshal-osup-'));
    const fleet = await SshFleet.start({
      count: options.hosts,
      name: 'os',
      rebootDownMs: options.rebootDownMs ?? 1000,
      osRelease: () => releaseOsRelease('12.5'),
    });
    const slots = FleetSlots.install(fleet);
    const images = await ImageServer.start(dir);
    const hosts = fleet.hosts.map((h, i) => Host.parse({ ...h, vars: { dc: options.dcs?.(i) ?? 'fra1' } }));
    const inventory = new StaticInventory({ source: 'os world', warnings: [], hosts, groups: [] });
    const executor = new SshExecutor(
      {
        knownHostsPath: fleet.knownHostsPath,
        privateKeyPath: fleet.privateKeyPath,
        readyTimeoutMs: options.readyTimeoutMs ?? 5000,
      },
      { logger: silentLogger() },
    );
    const redis = new Redis(redisUrl);
    const prefix = uniquePrefix('osup');
    const keys = generateKeyPairSync('ed25519', {
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const records = new RedisWorkflowRecords(redis, prefix, 'os-upgrade');
    const posted: Posted[] = [];
    let engine: EngineRuntime | undefined;
    const settings = {
      ...worldSettings(keys.publicKey),
      ...(options.rebootTimeoutMs ? { rebootTimeoutMs: options.rebootTimeoutMs } : {}),
    };
    const deps = (): MarshalDeps =>
      osUpgradeDeps({
        inventory,
        executor,
        redis,
        prefix,
        dir,
        settings,
        posted,
        runs: () => engine!,
      });
    engine = await createEngine({
      redis: redisUrl,
      prefix,
      registry: createRegistry([
        compileWorkflowModule(osUpgrade, deps()),
        compileWorkflowModule(osUpgradeStatus, deps()),
      ]),
      resolveTarget: (name) => inventory.get(name),
      logger: silentLogger(),
    });
    if (options.workers !== false) engine.startWorkers({ concurrency: options.workerConcurrency ?? 8 });
    const env = {
      OSUP_REDIS_URL: redisUrl,
      OSUP_PREFIX: prefix,
      OSUP_DIR: dir,
      OSUP_KNOWN_HOSTS: fleet.knownHostsPath,
      OSUP_PRIVATE_KEY: fleet.privateKeyPath,
      OSUP_HOSTS: JSON.stringify(hosts),
      OSUP_PUBLIC_KEY: keys.publicKey,
    };
    return new OsUpgradeWorld(
      posted,
      fleet,
      slots,
      images,
      inventory,
      executor,
      engine,
      dir,
      keys,
      records,
      new RedisAuditLog(redis, prefix, silentLogger()),
      redis,
      env,
    );
  }

  /** Builds an image for `version` on the image server. */
  image(name: string, version: string): SlotImage {
    return buildSlotImage(this.dir, name, releaseOsRelease(version), 64 * 1024);
  }

  /** Writes the catalog (signed with the world's key unless told otherwise). */
  writeCatalog(
    releases: unknown[],
    options: { sign?: boolean; tamper?: (text: string) => string } = {},
  ): void {
    const text = toYaml({ catalog: { releases } });
    let out = options.sign === false ? text : signCatalog(text, this.keys.privateKey);
    if (options.tamper) out = options.tamper(out);
    writeFileSync(join(this.dir, 'catalog.yaml'), out);
  }

  release(name: string, version: string, image: SlotImage, extra: Record<string, unknown> = {}): unknown {
    return {
      name,
      version,
      image: { url: this.images.url(image), sha256: image.sha256, sizeBytes: image.sizeBytes },
      certification: { by: 'release-team', at: '2026-11-20T10:00:00Z', checks: CHECKS },
      ...extra,
    };
  }

  host(i: number): Host {
    return this.inventory.hosts()[i]!;
  }

  /** The VERSION_ID the host's /etc/os-release says (read from this machine). */
  version(i: number): string {
    const text = readFileSync(this.fleet.member(this.host(i)).dirs.osRelease, 'utf8');
    return /VERSION_ID="([^"]*)"/.exec(text)?.[1] ?? '?';
  }

  async finished(runId: string, withinMs = 180_000): Promise<RunSnapshot> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const run = await this.engine.get(runId);
      if (run.finishedAt) return run;
      if (Date.now() > deadline)
        throw new Error(
          `run ${runId} did not finish: ${JSON.stringify({ tasks: run.tasks, targets: run.targets, gates: run.gates })}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async waitingGate(runId: string): Promise<string> {
    for (;;) {
      const run = await this.engine.get(runId);
      const gate = run.gates.find((g) => g.state === 'waiting');
      if (gate) return gate.gateId;
      if (run.finishedAt) throw new Error(`run ${runId} finished without waiting for approval`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async approve(runId: string, by = APPROVER): Promise<void> {
    const gateId = await this.waitingGate(runId);
    const decided = await this.engine.decide({ runId, gateId, decision: 'approve', by });
    if (!decided.applied) throw new Error(`approval not applied: ${decided.why}`);
  }

  /** Puts every host back on Debian 12.5 in slot a, as the fleet started. */
  resetHosts(): void {
    for (const h of this.inventory.hosts()) {
      this.fleet.setOsRelease(h, releaseOsRelease('12.5'));
      this.slots.prepare(h);
      this.slots.comeBackOnOldSlot(h, false);
      this.fleet.setRebootBehaviour(h, {});
    }
  }

  async close(): Promise<void> {
    await this.engine.close();
    await this.executor.close();
    this.redis.disconnect();
    await this.images.close();
    await this.fleet.stopAll();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The OS upgrade's settings in the world: the fleet's A/B profile, a marker file as critical workload. */
export function worldSettings(publicKey: string): Record<string, unknown> {
  return {
    catalog: 'catalog.yaml',
    publicKey,
    profile: abSlotProfile(),
    criticalWorkload: { markerFiles: ['/var/lib/marshal-host/training-job.lock'] },
    rebootTimeoutMs: 20_000,
  };
}

/** Marshal's standard deps for the OS upgrade on the world (also built by the worker process). */
export function osUpgradeDeps(w: {
  inventory: StaticInventory;
  executor: SshExecutor;
  redis: Redis;
  prefix: string;
  dir: string;
  settings: unknown;
  posted: Posted[];
  runs: () => EngineRuntime;
}): MarshalDeps {
  return {
    inventory: w.inventory,
    executor: w.executor,
    blocks: createHostBlocks({ executor: w.executor }),
    notifier: {
      alert: (a) => {
        w.posted.push({ runId: a.runId, title: a.title, text: a.text });
        return Promise.resolve();
      },
      image: (i) => {
        w.posted.push({ runId: i.runId, title: i.title, text: i.altText, png: i.png });
        return Promise.resolve();
      },
    },
    audit: new RedisAuditLog(w.redis, w.prefix, silentLogger()),
    runs: {
      get: (runId) => w.runs().get(runId),
      list: (o) => w.runs().list(o),
      locks: () => w.runs().locks(),
    },
    // Both workflows read the one record of the OS upgrade (os-upgrade-status names it: `records`).
    records: new RedisWorkflowRecords(w.redis, w.prefix, 'os-upgrade'),
    bundles: new DirectoryBundleStore(w.dir, { allowedRoots: ['/etc/marshal-apps'] }),
    clock: () => new Date(),
    dirs: { config: w.dir, module: w.dir, assets: undefined },
    log: silentLogger(),
    settings: w.settings,
  };
}
