/**
 * Worker RSS on a 10,000-host rollout, compiled JavaScript (`npm run build`, then dist/ runs with no
 * TypeScript loader, as in production): a worker process (plain `node`, the module below) on a fresh
 * LocalRedis runs a no-op rollout (canary 10, batches 10% / 50% / 100%, concurrency 50) and samples its
 * RSS every 100 ms. Also `engine.get` on the finished run: every host (`all`, the whole ledger) beside
 * the summary (`notable`, the counters) the thread, console and `marshal status` read. Goals:
 * bench/support/goals.ts.
 *
 *   npx tsx bench/worker-rss.ts [--hosts 10000] [--quick]
 */
import { spawn } from 'node:child_process';
import { PRODUCTION_NODE_FLAGS } from '../src/app/node-flags.js';
import { LocalRedis } from '../src/local/redis-server.js';
import { againstGoal, usageWithGoals } from './support/goals.js';
import { ensureFreshBuild } from './support/fresh-build.js';
import { benchOptions, count } from './support/options.js';

const USAGE = usageWithGoals(
  `
worker-rss: a compiled (dist/) worker's RSS after start-up and at its peak on an N-host no-op rollout,
and engine.get on that run: every host vs the summary. Runs npm run build first if dist/ is missing
or older than the sources.
  npx tsx bench/worker-rss.ts [--hosts N] [--quick]
  --hosts N   hosts of the rollout (default 10000; --quick: 2000)
`,
  ['workerRssStartupMb', 'workerRssMb'],
);
const options = benchOptions(USAGE, { hosts: { type: 'string' } });
const HOSTS = count(options['hosts'], options['quick'] ? 2000 : 10_000, 'hosts');
// The worker runs compiled JavaScript, as in production: build dist/ first when it is missing or stale.
ensureFreshBuild('src/engine/runtime/create-engine.js');

/** dist/src/<path> as a file URL, for the worker's imports. */
const at = (path: string) => new URL(`../dist/src/${path}`, import.meta.url).href;

/**
 * The worker: starts the engine's Workers, runs one N-host no-op rollout, samples its own RSS every
 * 100 ms, times engine.get on the finished run (every host vs the summary), prints one JSON line, exits.
 */
const WORKER = `
import { z } from 'zod';
import { defineWorkflow } from '${at('engine/dag/compile-workflow.js')}';
import { createRegistry } from '${at('engine/registry.js')}';
import { createEngine } from '${at('engine/runtime/create-engine.js')}';
import { silentLogger } from '${at('log/index.js')}';
const hosts = Number(process.env.HOSTS ?? 10_000);
const concurrency = Number(process.env.CONCURRENCY ?? 50);
const noop = defineWorkflow({
  name: 'noop',
  summary: 'a no-op step on N hosts: canary, then batches',
  params: z.object({ n: z.number() }),
  tasks(wf) {
    wf.rollout('noop', {
      targets: (ctx) => Array.from({ length: ctx.params.n }, (_, i) => \`host-\${i}\`),
      strategy: () => ({
        canary: 10,
        batches: ['10%', '50%', '100%'],
        concurrency,
        soakMs: 0,
        maxFailPercentPerBatch: 100,
        maxFailPercentTotal: 100,
      }),
      step: { name: 'noop', apply: async () => ({ changed: true, summary: 'done' }) },
    });
  },
});
const engine = await createEngine({
  redis: process.env.MARSHAL_REDIS_URL,
  prefix: 'rss',
  registry: createRegistry([noop]),
  logger: silentLogger(),
});
const pool = engine.startWorkers({ concurrency });
await new Promise((r) => setTimeout(r, 500));
const mb = () => process.memoryUsage().rss / 1048576;
const startup = mb();
let peak = startup;
const sampler = setInterval(() => (peak = Math.max(peak, mb())), 100);
const t0 = performance.now();
const runId = await engine.start({ workflow: 'noop', params: { n: hosts }, requester: 'U-BENCH' });
// A worker follows no event stream (the bot's notifier does): the summary says when the run is over.
while ((await engine.get(runId, { targets: 'notable' })).state === 'running')
  await new Promise((r) => setTimeout(r, 250));
const runMs = performance.now() - t0;
clearInterval(sampler);
peak = Math.max(peak, mb());
const time = async (targets) => {
  const ms = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await engine.get(runId, { targets });
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b)[2];
};
const getAllMs = await time('all');
const getNotableMs = await time('notable');
process.stdout.write(\`\${JSON.stringify({ startup, peak, runMs, getAllMs, getNotableMs })}\n\`);
await pool.close();
await engine.close();
process.exit(0);
`;

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
    [...PRODUCTION_NODE_FLAGS, '--input-type=module', '--eval', WORKER],
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
    `worker-rss: ${HOSTS} no-op hosts, compiled JS (node ${PRODUCTION_NODE_FLAGS.join(' ')}), concurrency 50, rollout took ${(f.runMs / 1000).toFixed(1)} s`,
  );
  console.log(againstGoal('workerRssStartupMb', f.startup, 0));
  console.log(againstGoal('workerRssMb', f.peak, 0));
  console.log(
    `  engine.get of the finished run, median of 5: every host ${f.getAllMs.toFixed(1)} ms, summary ${f.getNotableMs.toFixed(1)} ms (${(f.getAllMs / f.getNotableMs).toFixed(0)}×)`,
  );
} finally {
  await redis.destroy();
}
