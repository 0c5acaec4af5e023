/**
 * A worker process for the OS upgrade's crash test: `node --import tsx test/support/os-upgrade-worker.ts`
 * with the OSUP_* variables of `OsUpgradeWorld.workerEnv`. Works on the world's runs with the same deps
 * as the test process; prints `ready` once its Workers run.
 */
import { Redis } from 'ioredis';
import { createEngine } from '../../src/engine/runtime/create-engine.js';
import { createRegistry } from '../../src/engine/registry.js';
import { Host } from '../../src/hosts/host.js';
import { SshExecutor } from '../../src/hosts/ssh/index.js';
import { StaticInventory } from '../../src/inventory/inventory.js';
import { compileWorkflowModule } from '../../src/kit/template.js';
import type { EngineRuntime } from '../../src/engine/index.js';
import { silentLogger } from '../../src/log/index.js';
import osUpgrade from '../../workflows/os-upgrade.js';
import { osUpgradeDeps, worldSettings, type Posted } from './os-upgrade-world.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const hosts = (JSON.parse(env('OSUP_HOSTS')) as unknown[]).map((h) => Host.parse(h));
const inventory = new StaticInventory({ source: 'os world', warnings: [], hosts, groups: [] });
const executor = new SshExecutor(
  { knownHostsPath: env('OSUP_KNOWN_HOSTS'), privateKeyPath: env('OSUP_PRIVATE_KEY'), readyTimeoutMs: 5000 },
  { logger: silentLogger() },
);
const redis = new Redis(env('OSUP_REDIS_URL'));
const posted: Posted[] = [];
let engine: EngineRuntime | undefined;
const deps = osUpgradeDeps({
  inventory,
  executor,
  redis,
  prefix: env('OSUP_PREFIX'),
  dir: env('OSUP_DIR'),
  settings: worldSettings(env('OSUP_PUBLIC_KEY')),
  posted,
  runs: () => engine!,
});
engine = await createEngine({
  redis: env('OSUP_REDIS_URL'),
  prefix: env('OSUP_PREFIX'),
  registry: createRegistry([compileWorkflowModule(osUpgrade, deps)]),
  resolveTarget: (name) => inventory.get(name),
  logger: silentLogger(),
});
// A killed worker's jobs move on within seconds.
engine.startWorkers({
  concurrency: 4,
  lockDurationMs: 4000,
  stalledIntervalMs: 1000,
  maxStalledCount: 2,
  reconcileIntervalMs: 1000,
});
process.stdout.write('ready\n');
