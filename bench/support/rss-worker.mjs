// The worker-rss bench's worker: compiled JavaScript from dist/ (no TypeScript loader), as production
// runs it. Starts the engine's Workers, runs one N-host no-op rollout, samples its own RSS every 100 ms,
// times engine.get on the finished run (every host vs the summary), prints one JSON line, exits.
// Env: MARSHAL_REDIS_URL, HOSTS, CONCURRENCY.
import { z } from 'zod';
import { defineWorkflow } from '../../dist/src/engine/dag/compile-workflow.js';
import { createRegistry } from '../../dist/src/engine/registry.js';
import { createEngine } from '../../dist/src/engine/runtime/create-engine.js';
import { silentLogger } from '../../dist/src/log/index.js';

const hosts = Number(process.env.HOSTS ?? 10_000);
const concurrency = Number(process.env.CONCURRENCY ?? 50);
const noop = defineWorkflow({
  name: 'noop',
  summary: 'a no-op step on N hosts: canary, then batches',
  params: z.object({ n: z.number() }),
  tasks(wf) {
    wf.rollout('noop', {
      targets: (ctx) => Array.from({ length: ctx.params.n }, (_, i) => `host-${i}`),
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
process.stdout.write(`${JSON.stringify({ startup, peak, runMs, getAllMs, getNotableMs })}\n`);
await pool.close();
await engine.close();
process.exit(0);
