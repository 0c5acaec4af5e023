/**
 * A worker process for the engine's crash tests: `node --import tsx test/support/engine-worker.ts`
 * with MARSHAL_REDIS_URL and MARSHAL_PREFIX (worker settings: the MARSHAL_* numbers below). Prints `ready`
 * once its Workers run.
 */
import { createEngine } from '../../src/engine/runtime/create-engine.js';
import { createRegistry } from '../../src/engine/registry.js';
import { silentLogger } from '../../src/log/index.js';
import { allTestWorkflows } from './test-workflows.js';

const url = process.env.MARSHAL_REDIS_URL;
const prefix = process.env.MARSHAL_PREFIX;
if (!url || !prefix) throw new Error('MARSHAL_REDIS_URL and MARSHAL_PREFIX are required');
const engine = await createEngine({
  redis: url,
  prefix,
  registry: createRegistry(allTestWorkflows),
  logger: silentLogger(),
});
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
// Short enough that a killed worker's jobs move on within seconds, long enough that a healthy worker
// starved of CPU on a loaded 2-core machine (load average 10) does not lose its locks.
engine.startWorkers({
  concurrency: env('MARSHAL_CONCURRENCY', 4),
  lockDurationMs: env('MARSHAL_LOCK_MS', 4000),
  stalledIntervalMs: env('MARSHAL_STALLED_INTERVAL_MS', 1000),
  maxStalledCount: env('MARSHAL_MAX_STALLED', 2),
  reconcileIntervalMs: env('MARSHAL_RECONCILE_MS', 1000),
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void engine.close().then(() => process.exit(0));
});
