/**
 * Engine hop benchmark: `npx tsx bench/engine-hop.ts`, against a fresh LocalRedis.
 * 1. Hop latency: over a chain of 100 no-op tasks, the time from one task's function running to the
 *    next one's (a no-op ends as it starts), p50/p99 per run; medians over the runs.
 * 2. A no-op rollout of 1,000 targets at concurrency 50: total time and targets/s; medians.
 * Goal: hop p50 < 5 ms, p99 < 25 ms.
 */
import { z } from 'zod';
import { LocalRedis } from '../src/local/redis-server.js';
import { createEngine } from '../src/engine/runtime/create-engine.js';
import { createRegistry } from '../src/engine/registry.js';
import { defineWorkflow } from '../src/engine/dag/compile-workflow.js';
import type { RunEvent } from '../src/engine/model/events.js';
import { silentLogger } from '../src/log/index.js';

const RUNS = Number(process.env.RUNS ?? 5);

/** When each chain task started, by run (same process as the workers). */
const entered = new Map<string, number[]>();
const mark = async (ctx: { runId: string; taskId: string }) => {
  const list = entered.get(ctx.runId) ?? [];
  list[Number(ctx.taskId.slice(1))] = performance.now();
  entered.set(ctx.runId, list);
};

const chain = defineWorkflow({
  name: 'chain',
  summary: '100 no-op tasks in a row',
  params: z.object({}),
  tasks(wf) {
    let prev = wf.task('t0', mark);
    for (let i = 1; i < 100; i++) prev = wf.task(`t${i}`, mark, { after: prev });
  },
});

const rollout = defineWorkflow({
  name: 'noop-rollout',
  summary: 'a no-op step on 1,000 targets',
  params: z.object({ n: z.number() }),
  tasks(wf) {
    wf.rollout('noop', {
      targets: (ctx) => Array.from({ length: ctx.params.n }, (_, i) => `host-${i}`),
      strategy: () => ({
        canary: 0,
        batches: ['100%'],
        concurrency: 50,
        soakMs: 0,
        maxFailPercentPerBatch: 100,
        maxFailPercentTotal: 100,
      }),
      step: { name: 'noop', apply: async () => ({ changed: false }) },
    });
  },
});

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}
const median = (v: number[]) => pct(v, 50);

const redis = await LocalRedis.start();
try {
  const engine = await createEngine({
    redis: redis.url,
    prefix: 'bench',
    registry: createRegistry([chain, rollout]),
    logger: silentLogger(),
  });
  engine.startWorkers({ concurrency: 64 });
  const waiters = new Map<string, () => void>();
  const sub = await engine.events.subscribe((e: RunEvent) => {
    if (e.type === 'run.finished') waiters.get(e.runId)?.();
  });
  const run = async (workflow: string, params: unknown) => {
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const t0 = performance.now();
    const runId = await engine.start({ workflow, params, requester: 'bench' });
    waiters.set(runId, done);
    if ((await engine.get(runId)).finishedAt) done();
    await finished;
    return { runId, ms: performance.now() - t0 };
  };

  // Warm-up (script loading, JIT).
  await run('chain', {});
  const p50s: number[] = [];
  const p99s: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const { runId } = await run('chain', {});
    // A no-op task ends as it starts: the hop is from one task's function to the next one's.
    const at = entered.get(runId) ?? [];
    const hops: number[] = [];
    for (let i = 1; i < 100; i++) hops.push((at[i] ?? NaN) - (at[i - 1] ?? NaN));
    p50s.push(pct(hops, 50));
    p99s.push(pct(hops, 99));
  }
  console.log(
    `hop (chain of 100 no-op tasks, ${RUNS} runs): p50 ${median(p50s).toFixed(2)} ms, p99 ${median(p99s).toFixed(2)} ms (medians over runs)`,
  );

  await run('noop-rollout', { n: 100 });
  const totals: number[] = [];
  for (let r = 0; r < RUNS; r++) totals.push((await run('noop-rollout', { n: 1000 })).ms);
  const t = median(totals);
  console.log(
    `rollout (1,000 no-op targets, concurrency 50, ${RUNS} runs): median ${t.toFixed(0)} ms, ${(1000 / (t / 1000)).toFixed(0)} targets/s`,
  );
  await sub.close();
  await engine.close();
} finally {
  await redis.destroy();
}
