import type { Redis } from 'ioredis';
import { hostname } from 'node:os';
import { RedisAuditLog } from '../audit/index.js';
import { AuditTrail, type AuditLinks } from '../audit/audit-trail.js';
import { createAuditSink } from '../audit/sinks/index.js';
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
import { createCertificateServices } from './certificate-services.js';
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
  /**
   * Record run events in the audit chain from this process (default true). `links` gives each record
   * the Slack message it belongs to: only processes with a Slack client (serve) have it.
   */
  auditTrail?: boolean | { links?: AuditLinks };
  /** This process's metrics (default: a registry of its own). */
  metrics?: MarshalMetrics;
}

/** Who a renewal started by the expiry radar is recorded as requested by (anyone may approve it). */
export const RADAR_REQUESTER = 'marshal-radar';

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
  for (const [i, sink] of config.audit.sinks.entries())
    audit.addSink(createAuditSink(sink, process.env, `audit.sinks[${i}]`));
  // The engine is created after the registry, but workflows read runs through it: bind late.
  let engine: EngineRuntime | undefined;
  let trail: AuditTrail | undefined;
  const started = (): EngineRuntime => {
    if (!engine) throw new Error('the engine is not started yet');
    return engine;
  };
  const bundles = new DirectoryBundleStore(config.bundles, { allowedRoots: [...config.configRoots] });
  const blocks = createHostBlocks({
    executor,
    ...(config.loadBalancer ? { loadBalancer: config.loadBalancer.haproxy } : {}),
  });
  // A renewal the radar starts is an ordinary run: it waits for a person's approval like any other.
  const certificates = config.certificates
    ? await createCertificateServices(config.certificates, (certificate, reason) => {
        if (!engine) throw new Error('the engine is not started yet');
        return engine.start({
          workflow: 'cert-renew',
          params: { certificate },
          requester: RADAR_REQUESTER,
          dryRun: false,
          meta: {
            command: `radar: ${reason}`,
            ...(config.certificates?.radar ? { channel: config.certificates.radar.channel } : {}),
          },
        });
      })
    : undefined;
  // Every workflow, built-in or loaded, gets the same standard deps; only its directories differ.
  const registry = createRegistry(
    catalog.list().map((w) =>
      compileWorkflowModule(w.module, {
        executor,
        blocks,
        inventory,
        bundles,
        ...(certificates ? { certificates } : {}),
        audit,
        notifier: options.notifier,
        runs: {
          get: (runId) => started().get(runId),
          list: (o) => started().list(o),
          locks: () => started().locks(),
        },
        records: new RedisWorkflowRecords(redis, prefix, w.module.records ?? w.module.name),
        // A module reporting on another workflow's records (os-upgrade-status) reads its settings too.
        settings:
          config.workflowSettings[w.module.name] ??
          (w.module.records ? config.workflowSettings[w.module.records] : undefined),
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
      // The access config may ask every gate of a workflow for more approvers than the workflow does.
      quorumFor: (workflow) => config.access.workflows[workflow]?.quorum ?? 1,
      allowEphemeralRedis: options.allowEphemeralRedis ?? false,
      retentionMs: config.retention.days * 24 * 3600_000,
      // The audit names the hosts a run touched: what survives of it helps report a lost run.
      survivingHosts: async (runId) =>
        (await audit.entries(runId)).flatMap((e) => (e.target ? [e.target] : [])),
      observe: (event, workflow) => metrics.observe(event, workflow),
    });
    engine.health.watch(redis, 'marshal-app');
    if (options.auditTrail !== false) {
      const links = typeof options.auditTrail === 'object' ? options.auditTrail.links : undefined;
      trail = new AuditTrail({
        redis: connectRedis(options.redisUrl, 'marshal-audit', engine.health),
        stream: `${prefix}:events`,
        audit,
        logger: logger.child({ component: 'audit-trail' }),
        consumer: `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
        ...(links ? { links } : {}),
      });
      await trail.start();
    }
  } catch (err) {
    await trail?.close();
    await engine?.close();
    redis.disconnect();
    certificates?.close();
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
      await trail?.close();
      await running.close();
      certificates?.close();
      await executor.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
