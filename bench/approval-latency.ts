/**
 * Approval latency benchmark, real engine on a fresh LocalRedis: the time from an approval click
 * (`Engine.decide`) to the first host of the next batch finishing a no-op step, while another run's
 * sleeping steps (asking for 4× the pool) fill every slot they may, side by side with the same figure
 * when the engine is idle and with the pool's reserve turned off (`reserveSlots: 0`: one run may then
 * take every slot, as before per-run shares). Control work runs on its own lane (runtime/jobs.ts); host
 * steps are prioritized by how many hosts their stage holds and one run holds at most `concurrency` of a
 * Worker's `concurrency + reserve` slots (runtime/run-shares.ts). Goals: bench/support/goals.ts.
 *
 *   npx tsx bench/approval-latency.ts [--rounds 30] [--quick]
 */
import { z } from 'zod';
import { defineWorkflow } from '../src/engine/dag/compile-workflow.js';
import type { RunEvent } from '../src/engine/model/events.js';
import { createRegistry } from '../src/engine/registry.js';
import { createEngine } from '../src/engine/runtime/create-engine.js';
import { LocalRedis } from '../src/local/redis-server.js';
import { silentLogger } from '../src/log/index.js';
import { againstGoal, usageWithGoals } from './support/goals.js';
import { benchOptions, count } from './support/options.js';

const USAGE = usageWithGoals(
  `
approval latency: approval click → first host of the next batch, idle vs while another run fills every
slot it may (fair pool), vs the same with the reserve off (one run may take every slot).
  npx tsx bench/approval-latency.ts [--rounds N] [--quick]
  --rounds N   approvals measured in each condition (default 30; --quick: 8)
`,
  ['approvalToBatchP99'],
);
const options = benchOptions(USAGE, { rounds: { type: 'string' } });
const ROUNDS = count(options['rounds'], options['quick'] ? 8 : 30, 'rounds');
const SLOTS = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const flood = defineWorkflow({
  name: 'flood',
  summary: 'many hosts, each step sleeping 100 ms, as many at once as there are slots',
  params: z.object({ n: z.number() }),
  tasks(wf) {
    wf.rollout('flood', {
      targets: (ctx) => Array.from({ length: ctx.params.n }, (_, i) => `f-${i}`),
      strategy: () => ({
        canary: 0,
        batches: ['100%'],
        concurrency: SLOTS * 4,
        soakMs: 0,
        maxFailPercentPerBatch: 100,
        maxFailPercentTotal: 100,
      }),
      step: { name: 'sleep', apply: async () => (await sleep(100), { changed: false }) },
    });
  },
});
const gated = defineWorkflow({
  name: 'gated',
  summary: 'canary, approval, one batch of no-op steps',
  params: z.object({}),
  tasks(wf) {
    wf.rollout('g', {
      targets: () => ['g-0', 'g-1', 'g-2'],
      strategy: () => ({
        canary: 1,
        batches: ['100%'],
        concurrency: 2,
        soakMs: 0,
        maxFailPercentPerBatch: 100,
        maxFailPercentTotal: 100,
      }),
      approval: { timeoutMs: 3600_000 },
      step: { name: 'noop', apply: async () => ({ changed: true }) },
    });
  },
});

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

interface Condition {
  label: string;
  /** Flood the slots while measuring. */
  busy: boolean;
  reserveSlots?: number;
}

async function measureCondition(c: Condition, prefix: string): Promise<{ ms: number[]; partial: boolean }> {
  const engine = await createEngine({
    redis: redis.url,
    prefix,
    registry: createRegistry([flood, gated]),
    logger: silentLogger(),
  });
  const pool = engine.startWorkers({
    concurrency: SLOTS,
    ...(c.reserveSlots !== undefined ? { reserveSlots: c.reserveSlots } : {}),
  });
  const waiters: { match: (e: RunEvent) => boolean; resolve: (at: number) => void }[] = [];
  const sub = await engine.events.subscribe((e: RunEvent) => {
    for (const w of [...waiters])
      if (w.match(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(performance.now());
      }
  });
  const next = (match: (e: RunEvent) => boolean) =>
    new Promise<number>((resolve) => waiters.push({ match, resolve }));
  const measure = async (): Promise<number> => {
    const runId = await engine.start({ workflow: 'gated', params: {}, requester: 'U-REQ' });
    await next((e) => e.runId === runId && e.type === 'gate.waiting');
    const firstBatchHost = next(
      (e) => e.runId === runId && e.type === 'target.finished' && e.result.stage === 'batch',
    );
    const t0 = performance.now();
    await engine.decide({ runId, gateId: 'g.approval', decision: 'approve', by: 'U-APPROVER' });
    return (await firstBatchHost) - t0;
  };
  try {
    await measure(); // warm-up
    let floodRun: string | undefined;
    if (c.busy) {
      // Another run keeps every slot it may take busy for the whole measurement.
      floodRun = await engine.start({ workflow: 'flood', params: { n: 50_000 }, requester: 'U-OTHER' });
      await sleep(2000);
      const state = (await engine.get(floodRun)).state;
      if (state !== 'running') throw new Error(`the flood run is ${state}, not running`);
    }
    const ms: number[] = [];
    for (let i = 0; i < ROUNDS; i++) ms.push(await measure());
    let partial = false;
    if (floodRun) {
      partial = (await engine.get(floodRun)).state !== 'running';
      if (!partial) await engine.abort(floodRun, 'U-OTHER');
    }
    return { ms, partial };
  } finally {
    await sub.close();
    await pool.close();
    await engine.close();
  }
}

const redis = await LocalRedis.start();
try {
  const conditions: Condition[] = [
    { label: 'idle', busy: false },
    { label: 'another run fills every slot it may', busy: true },
    { label: 'same, reserve off (reserveSlots 0)', busy: true, reserveSlots: 0 },
  ];
  const results: { c: Condition; ms: number[]; partial: boolean }[] = [];
  for (const [i, c] of conditions.entries()) results.push({ c, ...(await measureCondition(c, `bench${i}`)) });
  console.log(
    `approval click → first host of the next batch, ${ROUNDS} approvals each, ${SLOTS} host slots per run` +
      ` (+ reserve), flood asks for ${SLOTS * 4} at once`,
  );
  console.log(`                                            p50 ms   p99 ms`);
  for (const r of results)
    console.log(
      `  ${r.c.label.padEnd(40)} ${pct(r.ms, 50).toFixed(1).padStart(7)}  ${pct(r.ms, 99).toFixed(1).padStart(7)}` +
        (r.partial ? '  (the flood ended early: partly idle)' : ''),
    );
  console.log(againstGoal('approvalToBatchP99', pct(results[1]!.ms, 99), 1));
} finally {
  await redis.destroy();
}
