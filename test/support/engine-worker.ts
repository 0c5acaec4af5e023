/**
 * A worker process for the engine's crash tests: `node --import tsx test/support/engine-worker.ts`
 * with MARSHAL_REDIS_URL and MARSHAL_PREFIX. Prints `ready` once its Workers run.
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
engine.startWorkers({
  concurrency: Number(process.env.MARSHAL_CONCURRENCY ?? 4),
  lockDurationMs: 1000,
  stalledIntervalMs: 500,
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void engine.close().then(() => process.exit(0));
});
