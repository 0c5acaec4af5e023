/**
 * Engine hop benchmark, side by side with a bare BullMQ chain on the same fresh LocalRedis:
 * 1. Hop latency over a chain of 1,001 no-op tasks (1,000 hops): the time from one task's function running
 *    to the next one's (a no-op ends as it starts), p50/p99 per run; medians over the runs. The baseline is
 *    a bare BullMQ chain: a Worker whose job i adds job i+1, timed from processor to processor.
 * 2. A no-op rollout of 1,000 targets at concurrency 50: total time and targets/s; medians.
 * Goals: bench/support/goals.ts.
 *
 *   npx tsx bench/engine-hop.ts [--runs 5] [--quick]
 */
import { z } from 'zod';
import { LocalRedis } from '../src/local/redis-server.js';
import { createEngine } from '../src/engine/runtime/create-engine.js';
import { createRegistry } from '../src/engine/registry.js';
import { defineWorkflow } from '../src/engine/dag/compile-workflow.js';
import type { RunEvent } from '../src/engine/model/events.js';
import { silentLogger } from '../src/log/index.js';
import { Queue, Worker } from 'bullmq';
import { againstGoal, usageWithGoals } from './support/goals.js';
import { noopRollout } from './support/noop-rollout.js';
import { benchOptions, count } from './support/options.js';

const USAGE = usageWithGoals(
  `
engine hop: task-to-task latency over a 1,000-hop chain, Marshal's engine vs a bare BullMQ chain,
and a 1,000-target no-op rollout.
  npx tsx bench/engine-hop.ts [--runs N] [--quick]
  --runs N   measured runs of each (default 5; --quick: 1)
`,
  ['hopP50', 'hopP99'],
);
const options = benchOptions(USAGE, { runs: { type: 'string' } });
const HOPS = 1000;

const RUNS = count(options['runs'], options['quick'] ? 1 : 5, 'runs');

/** When each chain task started, by run (same process as the workers). */
const entered = new Map<string, number[]>();
const mark = async (ctx: { runId: string; taskId: string }) => {
  const list = entered.get(ctx.runId) ?? [];
  list[Number(ctx.taskId.slice(1))] = performance.now();
  entered.set(ctx.runId, list);
};

const chain = defineWorkflow({
  name: 'chain',
  summary: `${HOPS + 1} no-op tasks in a row`,
  params: z.object({}),
  tasks(wf) {
    let prev = wf.task('t0', mark);
    for (let i = 1; i <= HOPS; i++) prev = wf.task(`t${i}`, mark, { after: prev });
  },
});

const rollout = noopRollout({ name: 'noop-rollout', concurrency: 50, changed: false });

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
    for (let i = 1; i <= HOPS; i++) hops.push((at[i] ?? NaN) - (at[i - 1] ?? NaN));
    p50s.push(pct(hops, 50));
    p99s.push(pct(hops, 99));
  }
  const bare = await bareChain(redis.url, RUNS);
  console.log(`hop, ${HOPS}-hop chain, medians over ${RUNS} runs     p50 ms   p99 ms`);
  console.log(
    `  bare BullMQ chain                         ${bare.p50.toFixed(2).padStart(6)}   ${bare.p99.toFixed(2).padStart(6)}`,
  );
  console.log(
    `  marshal engine                            ${median(p50s).toFixed(2).padStart(6)}   ${median(p99s).toFixed(2).padStart(6)}`,
  );
  console.log(
    `  marshal / bare (p50)                      ${(median(p50s) / bare.p50).toFixed(2).padStart(6)}`,
  );
  console.log(againstGoal('hopP50', median(p50s)));
  console.log(againstGoal('hopP99', median(p99s)));

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

/** The floor: a bare BullMQ Worker whose job i adds job i+1, timed from one processor call to the next. */
async function bareChain(url: string, runs: number): Promise<{ p50: number; p99: number }> {
  const connection = { url, maxRetriesPerRequest: null };
  const queue = new Queue('bare-chain', { connection, prefix: 'bench-bare' });
  let at: number[] = [];
  let finished: () => void = () => undefined;
  const worker = new Worker(
    'bare-chain',
    async (job) => {
      const i = Number(job.data.i);
      at[i] = performance.now();
      if (i < HOPS) await queue.add('hop', { i: i + 1 }, { removeOnComplete: true });
      else finished();
    },
    { connection, prefix: 'bench-bare', concurrency: 64 },
  );
  const once = async (): Promise<number[]> => {
    at = [];
    const done = new Promise<void>((r) => (finished = r));
    await queue.add('hop', { i: 0 }, { removeOnComplete: true });
    await done;
    const hops: number[] = [];
    for (let i = 1; i <= HOPS; i++) hops.push((at[i] ?? NaN) - (at[i - 1] ?? NaN));
    return hops;
  };
  await once(); // warm-up
  const p50s: number[] = [];
  const p99s: number[] = [];
  for (let r = 0; r < runs; r++) {
    const hops = await once();
    p50s.push(pct(hops, 50));
    p99s.push(pct(hops, 99));
  }
  await worker.close();
  await queue.close();
  return { p50: median(p50s), p99: median(p99s) };
}
