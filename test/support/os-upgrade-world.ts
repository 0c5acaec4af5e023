import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { stringify as toYaml } from 'yaml';
import { RedisWorkflowStore } from '../../src/app/redis-workflow-store.js';
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
    readonly store: RedisWorkflowStore,
    private readonly redis: Redis,
  ) {}

  static async start(
    redisUrl: string,
    options: { hosts: number; dcs?: (i: number) => string; rebootDownMs?: number },
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
      { knownHostsPath: fleet.knownHostsPath, privateKeyPath: fleet.privateKeyPath, readyTimeoutMs: 5000 },
      { logger: silentLogger() },
    );
    const redis = new Redis(redisUrl);
    const prefix = uniquePrefix('osup');
    const keys = generateKeyPairSync('ed25519', {
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const store = new RedisWorkflowStore(redis, prefix, 'os-upgrade');
    const posted: Posted[] = [];
    let engine: EngineRuntime | undefined;
    const deps = (): MarshalDeps => ({
      inventory,
      executor,
      blocks: createHostBlocks({ executor }),
      notifier: {
        alert: (a) => {
          posted.push({ runId: a.runId, title: a.title, text: a.text });
          return Promise.resolve();
        },
        image: (i) => {
          posted.push({ runId: i.runId, title: i.title, text: i.altText, png: i.png });
          return Promise.resolve();
        },
      },
      audit: new RedisAuditLog(redis, prefix, silentLogger()),
      runs: { get: (runId) => engine!.get(runId) },
      bundles: new DirectoryBundleStore(dir, { allowedRoots: ['/etc/marshal-apps'] }),
      clock: () => new Date(),
      dirs: { config: dir, module: dir, assets: undefined },
      log: silentLogger(),
      // Both workflows read the one memory of the OS upgrade.
      store,
      settings: {
        catalog: 'catalog.yaml',
        publicKey: keys.publicKey,
        profile: abSlotProfile(),
        criticalWorkload: { markerFiles: ['/var/lib/marshal-host/training-job.lock'] },
        rebootTimeoutMs: 20_000,
      },
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
    engine.startWorkers({ concurrency: 8 });
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
      store,
      redis,
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
