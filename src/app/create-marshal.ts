import type { Redis } from 'ioredis';
import { RedisAuditLog } from '../audit/index.js';
import { DirectoryBundleStore } from '../bundles/bundle-store.js';
import type { MarshalConfig } from '../config/marshal-config.js';
import { InvalidConfigError } from '../config/invalid-config-error.js';
import { createEngine, createRegistry, type EngineRuntime, type WorkflowRegistry } from '../engine/index.js';
import { connectRedis, probeRedis, waitForRedis } from '../engine/runtime/redis-connection.js';
import { createHostBlocks } from '../hosts/blocks/index.js';
import { SshExecutor } from '../hosts/ssh/index.js';
import { loadInventory } from '../inventory/load-inventory.js';
import type { Inventory } from '../inventory/inventory.js';
import type { Logger } from '../log/index.js';
import type { Notifier } from '../notify/notifier.js';
import type { WorkflowCatalog } from '../kit/catalog.js';
import { compileWorkflowModule } from '../kit/template.js';
import { MarshalMetrics } from '../metrics/index.js';
import { loadWorkflowCatalog } from './workflow-catalog.js';
import { RedisWorkflowRecords } from '../records/redis-workflow-records.js';

export interface MarshalOptions {
  config: MarshalConfig;
  redisUrl: string;
  /** Key prefix of everything Marshal keeps in Redis; several Marshals can share one Redis. */
  prefix?: string;
  logger: Logger;
  /** Where workflow alerts go: Slack in `serve`, the terminal in `run`. */
  notifier: Notifier;
  /** The workflows, when the caller has loaded them already (default: loaded from `config`). */
  catalog?: WorkflowCatalog;
  /** Start on a Redis that keeps nothing across a restart (throwaway use: the local run, tests). */
  allowEphemeralRedis?: boolean;
  /**
   * When Redis does not answer at start: `fail` at once with one line naming REDIS_URL (`run`,
   * `status`), or `retry` with backoff, one log line per attempt (`serve`, `worker`). Default `fail`.
   */
  whenRedisIsDown?: 'fail' | 'retry';
  /** This process's metrics (default: a registry of its own). */
  metrics?: MarshalMetrics;
}

/** Everything a Marshal process works with, connected and checked. */
export interface Marshal {
  readonly engine: EngineRuntime;
  readonly registry: WorkflowRegistry;
  /** The workflow modules the registry was built from, with where each came from. */
  readonly catalog: WorkflowCatalog;
  readonly inventory: Inventory;
  readonly executor: SshExecutor;
  readonly audit: RedisAuditLog;
  /** A general-purpose connection for the front ends (replay guard, thread store). */
  readonly redis: Redis;
  readonly prefix: string;
  /** This process's Prometheus metrics (served at /metrics by `serve` and `worker --metrics-port`). */
  readonly metrics: MarshalMetrics;
  close(): Promise<void>;
}

/**
 * The one place Marshal's parts are put together: inventory, SSH, bundles, audit, workflows and the
 * engine. `serve`, `worker`, `run` and the local demo all start here; none of them creates a client
 * of its own.
 */
export async function createMarshal(options: MarshalOptions): Promise<Marshal> {
  const { config, logger } = options;
  const prefix = options.prefix ?? 'marshal';
  // Before any long-lived client: those queue commands forever while Redis is down.
  if (options.whenRedisIsDown === 'retry') await waitForRedis(options.redisUrl, logger);
  else await probeRedis(options.redisUrl);
  const ssh = config.ssh;
  if (!ssh) {
    throw new InvalidConfigError("Marshal's config file", [
      {
        where: 'ssh',
        problem: 'is missing: processes that run workflows need to reach hosts',
        fix: 'Add ssh.privateKey and ssh.knownHosts (see examples/marshal.yaml)',
      },
    ]);
  }
  const catalog = options.catalog ?? (await loadWorkflowCatalog(config));
  for (const w of catalog.list())
    for (const warning of w.warnings) logger.warn({ workflow: w.module.name }, warning);
  const inventory = await loadInventory(config.inventory);
  for (const warning of inventory.warnings) logger.warn({ inventory: inventory.source }, warning);

  const metrics = options.metrics ?? new MarshalMetrics();
  const executor = new SshExecutor(
    {
      knownHostsPath: ssh.knownHosts,
      privateKeyPath: ssh.privateKey,
      useAgent: ssh.useAgent,
      trustOnFirstUse: ssh.trustOnFirstUse,
      maxConnections: ssh.maxConnections,
    },
    {
      logger,
      resolveHost: (name) => inventory.hosts().find((h) => h.name === name),
      onConnection: (outcome, _host, err) => metrics.sshConnection(outcome, err),
    },
  );
  const redis = connectRedis(options.redisUrl, 'marshal-app');
  const audit = new RedisAuditLog(redis, prefix, logger.child({ component: 'audit' }));
  // The engine is created after the registry, but workflows read runs through it: bind late.
  let engine: EngineRuntime | undefined;
  const started = (): EngineRuntime => {
    if (!engine) throw new Error('the engine is not started yet');
    return engine;
  };
  const bundles = new DirectoryBundleStore(config.bundles, { allowedRoots: [...config.configRoots] });
  const blocks = createHostBlocks({
    executor,
    ...(config.loadBalancer ? { loadBalancer: config.loadBalancer.haproxy } : {}),
  });
  // Every workflow, built-in or loaded, gets the same standard deps; only its directories differ.
  const registry = createRegistry(
    catalog.list().map((w) =>
      compileWorkflowModule(w.module, {
        executor,
        blocks,
        inventory,
        bundles,
        audit,
        notifier: options.notifier,
        runs: {
          get: (runId) => started().get(runId),
          list: (o) => started().list(o),
          locks: () => started().locks(),
        },
        records: new RedisWorkflowRecords(redis, prefix, w.module.name),
        settings: config.workflowSettings[w.module.name],
        clock: () => new Date(),
        dirs: w.dirs,
        log: logger.child({ workflow: w.module.name }),
      }),
    ),
  );
  try {
    engine = await createEngine({
      redis: options.redisUrl,
      prefix,
      registry,
      logger,
      // Rollout targets are inventory hosts: failure domains read their vars, steps get them as ctx.host.
      resolveTarget: (name) => inventory.get(name),
      allowEphemeralRedis: options.allowEphemeralRedis ?? false,
      // The audit names the hosts a run touched: what survives of it helps report a lost run.
      survivingHosts: async (runId) =>
        (await audit.entries(runId)).flatMap((e) => (e.target ? [e.target] : [])),
      observe: (event, workflow) => metrics.observe(event, workflow),
    });
    engine.health.watch(redis, 'marshal-app');
  } catch (err) {
    redis.disconnect();
    await executor.close();
    throw err;
  }
  const running = engine;
  metrics.bind({
    history: (runId) => running.events.history(runId),
    get: (runId) => running.get(runId),
    active: () => running.list({ active: true, limit: 500 }),
    queueCounts: async () => {
      const c = await running.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return {
        waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
        active: c.active ?? 0,
        delayed: c.delayed ?? 0,
      };
    },
  });
  return {
    engine: running,
    registry,
    catalog,
    inventory,
    executor,
    audit,
    redis,
    prefix,
    metrics,
    async close() {
      await running.close();
      await executor.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
