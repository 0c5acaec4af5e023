/**
 * Worker RSS on a 10,000-host rollout, compiled JavaScript (`npm run build`, then dist/ runs with no
 * TypeScript loader, as in production): a worker process (bench/support/rss-worker.mjs) on a fresh
 * LocalRedis runs a no-op rollout (canary 10, batches 10% / 50% / 100%, concurrency 50) and samples its
 * RSS every 100 ms. Also `engine.get` on the finished run: every host (`all`, the whole ledger) beside
 * the summary (`notable`, the counters) the thread, console and `marshal status` read. Goals:
 * bench/support/goals.ts.
 *
 *   npm run build && npx tsx bench/worker-rss.ts [--hosts 10000] [--quick]
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LocalRedis } from '../src/local/redis-server.js';
import { againstGoal } from './support/goals.js';
import { benchOptions, count } from './support/options.js';

const USAGE = `
worker-rss: a compiled (dist/) worker's RSS after start-up and at its peak on an N-host no-op rollout,
and engine.get on that run: every host vs the summary. Build first: npm run build.
  npx tsx bench/worker-rss.ts [--hosts N] [--quick]
  --hosts N   hosts of the rollout (default 10000; --quick: 2000)
`;
const options = benchOptions(USAGE, { hosts: { type: 'string' } });
const HOSTS = count(options['hosts'], options['quick'] ? 2000 : 10_000, 'hosts');
const dist = fileURLToPath(new URL('../dist/src/engine/runtime/create-engine.js', import.meta.url));
if (!existsSync(dist)) {
  console.error('worker-rss runs the compiled engine: run `npm run build` first (dist/ is missing).');
  process.exit(2);
}

interface Figures {
  startup: number;
  peak: number;
  runMs: number;
  getAllMs: number;
  getNotableMs: number;
}

const redis = await LocalRedis.start();
try {
  const worker = spawn(
    process.execPath,
    [fileURLToPath(new URL('./support/rss-worker.mjs', import.meta.url))],
    {
      env: { ...process.env, MARSHAL_REDIS_URL: redis.url, HOSTS: String(HOSTS), CONCURRENCY: '50' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  worker.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => worker.on('exit', r));
  if (code !== 0) throw new Error(`the worker exited with ${code}: ${out}`);
  const f = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Figures;
  console.log(
    `worker-rss: ${HOSTS} no-op hosts, compiled JS, concurrency 50, rollout took ${(f.runMs / 1000).toFixed(1)} s`,
  );
  console.log(`  RSS after start-up ${f.startup.toFixed(0)} MB, peak ${f.peak.toFixed(0)} MB`);
  console.log(againstGoal('workerRssMb', f.peak, 0));
  console.log(
    `  engine.get of the finished run, median of 5: every host ${f.getAllMs.toFixed(1)} ms, summary ${f.getNotableMs.toFixed(1)} ms (${(f.getAllMs / f.getNotableMs).toFixed(0)}×)`,
  );
} finally {
  await redis.destroy();
}
