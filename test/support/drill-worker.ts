/**
 * A worker process running the DR drill's modules, for the worker-killed test:
 * `node --import tsx test/support/drill-worker.ts` with MARSHAL_REDIS_URL, MARSHAL_PREFIX,
 * DRILL_SETTINGS (JSON) and the TSIG secret's variable. Prints `ready` once its Workers run.
 */
import { Redis } from 'ioredis';
import { createEngine, type EngineRuntime } from '../../src/engine/index.js';
import { silentLogger } from '../../src/log/index.js';
import { drillRegistry } from './drill-registry.js';

const url = process.env.MARSHAL_REDIS_URL;
const prefix = process.env.MARSHAL_PREFIX;
const settings = process.env.DRILL_SETTINGS;
if (!url || !prefix || !settings)
  throw new Error('MARSHAL_REDIS_URL, MARSHAL_PREFIX, DRILL_SETTINGS are required');
const redis = new Redis(url);
let engine: EngineRuntime | undefined;
const { registry } = drillRegistry({
  redis,
  prefix,
  settings: JSON.parse(settings) as unknown,
  notifier: { alert: () => Promise.resolve(), note: () => Promise.resolve(), image: () => Promise.resolve() },
  engine: () => engine!,
});
engine = await createEngine({ redis: url, prefix, registry, logger: silentLogger() });
engine.startWorkers({
  concurrency: 8,
  lockDurationMs: 4000,
  stalledIntervalMs: 1000,
  maxStalledCount: 2,
  reconcileIntervalMs: 1000,
});
process.stdout.write('ready\n');
