import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { RedisWorkflowRecords } from '../../src/records/redis-workflow-records.js';
import { RedisAuditLog } from '../../src/audit/index.js';
import { DirectoryBundleStore } from '../../src/bundles/bundle-store.js';
import { TerminalNotifier } from '../../src/cli/terminal-notifier.js';
import {
  createEngine,
  createRegistry,
  type EngineRuntime,
  type RunEvent,
  type RunSnapshot,
} from '../../src/engine/index.js';
import { createHostBlocks } from '../../src/hosts/blocks/index.js';
import { Host } from '../../src/hosts/host.js';
import { SshExecutor } from '../../src/hosts/ssh/index.js';
import { StaticInventory } from '../../src/inventory/inventory.js';
import { isWorkflowModule, type AnyWorkflowModule, type MarshalDeps } from '../../src/kit/index.js';
import { compileWorkflowModule } from '../../src/kit/template.js';
import { WEB_TIER_PORT, WEB_TIER_WWW, startWebTier } from '../../src/local/demo/demo-environment.js';
import type { LocalHaproxy } from '../../src/local/haproxy.js';
import { SshFleet } from '../../src/local/fleet/index.js';
import { silentLogger } from '../../src/log/index.js';
import { uniquePrefix } from './redis.js';

export const EXAMPLES_DIR = resolve('examples/workflows');
export { WEB_TIER_PORT as WEB_PORT, WEB_TIER_WWW as WWW };
export const REQUESTER = 'U0REQUESTER';
export const APPROVER = 'U0APPROVER';

/** Every workflow module in a directory, imported as Marshal's loader would: one default export each. */
export async function loadModules(dir = EXAMPLES_DIR): Promise<AnyWorkflowModule[]> {
  const modules: AnyWorkflowModule[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f))
    .sort()) {
    const loaded = (await import(pathToFileURL(join(dir, file)).href)) as { default?: unknown };
    if (!isWorkflowModule(loaded.default))
      throw new Error(`${file} has no workflow module as default export`);
    modules.push(loaded.default);
  }
  return modules;
}

export interface WorldOptions {
  hosts: number;
  /** Inventory vars per host index (e.g. its rack). */
  vars?: (index: number) => Record<string, unknown>;
}

/**
 * The example workflows' world: a real sshd fleet whose hosts serve HTTP (python's http.server under
 * runit, started at boot), HAProxy in front of them (backend `web`, one server per host, named after
 * it), the real engine on the test Redis with the example modules loaded from examples/workflows.
 */
export class ExampleWorld {
  private constructor(
    readonly fleet: SshFleet,
    readonly haproxy: LocalHaproxy,
    readonly inventory: StaticInventory,
    readonly executor: SshExecutor,
    readonly engine: EngineRuntime,
    private readonly redis: Redis,
    /** Every engine event since the world started. */
    readonly events: RunEvent[],
    private readonly closeSubscription: () => Promise<void>,
  ) {}

  static async start(redisUrl: string, options: WorldOptions): Promise<ExampleWorld> {
    const fleet = await SshFleet.start({ count: options.hosts, name: 'ex', rebootDownMs: 1000 });
    const hosts = fleet.hosts.map((h, i) => Host.parse({ ...h, vars: options.vars?.(i) ?? {} }));
    const haproxy = await startWebTier(fleet);
    const inventory = new StaticInventory({ source: 'example world', warnings: [], hosts, groups: [] });
    const executor = new SshExecutor(
      { knownHostsPath: fleet.knownHostsPath, privateKeyPath: fleet.privateKeyPath, readyTimeoutMs: 5000 },
      { logger: silentLogger() },
    );
    const redis = new Redis(redisUrl);
    const prefix = uniquePrefix('examples');
    let engine: EngineRuntime | undefined;
    const deps: MarshalDeps = {
      inventory,
      executor,
      blocks: createHostBlocks({ executor, loadBalancer: { socket: haproxy.socket } }),
      notifier: new TerminalNotifier(() => {}),
      audit: new RedisAuditLog(redis, prefix, silentLogger()),
      runs: {
        get: (runId) => engine!.get(runId),
        list: (o) => engine!.list(o),
        locks: () => engine!.locks(),
      },
      records: new RedisWorkflowRecords(redis, prefix, 'examples'),
      settings: undefined,
      bundles: new DirectoryBundleStore(resolve('bundles'), { allowedRoots: ['/etc/marshal-apps'] }),
      clock: () => new Date(),
      dirs: { config: EXAMPLES_DIR, module: EXAMPLES_DIR, assets: undefined },
      log: silentLogger(),
    };
    // Every host serves before a workflow looks at it (runsvdir starts the service at boot).
    for (const host of hosts)
      await deps.blocks.waitFor(
        { kind: 'http', url: `http://${host.address}:${WEB_TIER_PORT}/` },
        { signal: new AbortController().signal },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
    const modules = await loadModules();
    engine = await createEngine({
      redis: redisUrl,
      prefix,
      registry: createRegistry(modules.map((m) => compileWorkflowModule(m, deps))),
      resolveTarget: (name) => inventory.get(name),
      logger: silentLogger(),
    });
    engine.startWorkers({ concurrency: 8 });
    const events: RunEvent[] = [];
    const sub = await engine.events.subscribe((e) => void events.push(e));
    return new ExampleWorld(fleet, haproxy, inventory, executor, engine, redis, events, () => sub.close());
  }

  host(i: number): Host {
    return this.inventory.hosts()[i]!;
  }

  async finished(runId: string): Promise<RunSnapshot> {
    for (;;) {
      const run = await this.engine.get(runId);
      if (run.finishedAt) return run;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Waits for the run's approval gate and has another person approve it. */
  async approve(runId: string, by = APPROVER): Promise<void> {
    for (;;) {
      const run = await this.engine.get(runId);
      const gate = run.gates.find((g) => g.state === 'waiting');
      if (gate) {
        const decided = await this.engine.decide({ runId, gateId: gate.gateId, decision: 'approve', by });
        if (!decided.applied) throw new Error(`approval not applied: ${decided.why}`);
        return;
      }
      if (run.finishedAt) throw new Error(`run ${runId} finished without waiting for approval`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async close(): Promise<void> {
    await this.closeSubscription();
    await this.engine.close();
    await this.executor.close();
    this.redis.disconnect();
    await this.haproxy.stop();
    await this.fleet.stopAll();
  }
}
