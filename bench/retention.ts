/**
 * Retention benchmark: what a finished run leaves in Redis, on a fresh LocalRedis (AOF on, as in
 * production), with the real engine and a no-op gated rollout (canary, approval clicked at once, batches).
 * 1. Kept: runs finished under a long retention; Redis `used_memory` grown, per finished host.
 * 2. Over N consecutive runs under a 1 s retention: `used_memory` and key count every N/10 runs (flat is
 *    the goal), then, once every run expired, what is left per host (0 is the goal).
 * Goals: bench/support/goals.ts.
 *
 *   npx tsx bench/retention.ts [--runs 1000] [--hosts 10] [--quick]
 */
import { Redis } from 'ioredis';
import { z } from 'zod';
import { defineWorkflow } from '../src/engine/dag/compile-workflow.js';
import type { RunEvent } from '../src/engine/model/events.js';
import { createRegistry } from '../src/engine/registry.js';
import { createEngine, type EngineRuntime } from '../src/engine/runtime/create-engine.js';
import { LocalRedis } from '../src/local/redis-server.js';
import { silentLogger } from '../src/log/index.js';
import { againstGoal, usageWithGoals } from './support/goals.js';
import { benchOptions, count } from './support/options.js';

const USAGE = usageWithGoals(
  `
retention: Redis memory a finished run leaves, kept and after expiry, over N consecutive runs.
  npx tsx bench/retention.ts [--runs N] [--hosts N] [--quick]
  --runs N    consecutive runs under a 1 s retention (default 1000; --quick: 100)
  --hosts N   hosts per run (default 10)
`,
  ['redisBytesPerHost', 'redisBytesPerHostAfterExpiry'],
);
const options = benchOptions(USAGE, { runs: { type: 'string' }, hosts: { type: 'string' } });
const RUNS = count(options['runs'], options['quick'] ? 100 : 1000, 'runs');
const HOSTS = count(options['hosts'], 10, 'hosts');
const KEPT_RUNS = options['quick'] ? 5 : 20;

const gated = defineWorkflow({
  name: 'noop-gated',
  summary: 'a no-op step on N hosts: canary, approval, batches',
  params: z.object({ n: z.number() }),
  tasks(wf) {
    wf.rollout('noop', {
      targets: (ctx) => Array.from({ length: ctx.params.n }, (_, i) => `host-${i}`),
      strategy: () => ({
        canary: 1,
        batches: ['50%', '100%'],
        concurrency: 20,
        soakMs: 0,
        maxFailPercentPerBatch: 100,
        maxFailPercentTotal: 100,
      }),
      approval: { timeoutMs: 3600_000 },
      step: { name: 'noop', apply: async () => ({ changed: true, summary: 'done' }) },
    });
  },
});

/** The capped streams: run events (≤ 10,000 entries) and the event logs of BullMQ's two queues, host steps and control work (≤ 1,000 each). */
const cappedKeys = (prefix: string) => [
  `${prefix}:events`,
  `${prefix}:jobs:events`,
  `${prefix}:control:events`,
];

/** Bytes of the capped streams: they fill to their cap, then stay. */
async function cappedStreams(redis: Redis, prefix: string): Promise<number> {
  let total = 0;
  for (const key of cappedKeys(prefix)) total += Number((await redis.memory('USAGE', key)) ?? 0);
  return total;
}

/**
 * Bytes the keys themselves hold (MEMORY USAGE of every key, every element counted), beside the
 * capped streams: what runs leave in Redis, without the allocator's and hash tables' own overhead,
 * which `used_memory` also counts and which does not shrink the moment keys go.
 */
async function keyBytes(redis: Redis, prefix: string): Promise<number> {
  const capped = new Set(cappedKeys(prefix));
  let total = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys)
      if (!capped.has(key)) total += Number((await redis.memory('USAGE', key, 'SAMPLES', 0)) ?? 0);
  } while (cursor !== '0');
  return total;
}

async function usedMemory(redis: Redis): Promise<number> {
  await redis.call('MEMORY', 'PURGE').catch(() => undefined);
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

/** An engine with its workers, and a function that runs one gated rollout to its end (approving it). */
async function engineFor(url: string, prefix: string, retentionMs: number) {
  const engine: EngineRuntime = await createEngine({
    redis: url,
    prefix,
    registry: createRegistry([gated]),
    logger: silentLogger(),
    retentionMs,
  });
  engine.startWorkers({ concurrency: 20, reconcileIntervalMs: 1000 });
  const waiters = new Map<string, () => void>();
  const sub = await engine.events.subscribe(async (e: RunEvent) => {
    if (e.type === 'gate.waiting')
      await engine.decide({ runId: e.runId, gateId: e.gateId, decision: 'approve', by: 'U-APPROVER' });
    if (e.type === 'run.finished') waiters.get(e.runId)?.();
  });
  const run = async (n: number) => {
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const runId = await engine.start({ workflow: 'noop-gated', params: { n }, requester: 'U-REQ' });
    waiters.set(runId, done);
    if ((await engine.get(runId)).finishedAt) done();
    await finished;
    waiters.delete(runId);
  };
  return {
    run,
    close: async () => {
      await sub.close();
      await engine.close();
    },
  };
}

const local = await LocalRedis.start();
const redis = new Redis(local.url);
try {
  // 1. Kept: bytes per finished host while runs are within the retention period.
  const kept = await engineFor(local.url, 'kept', 3600_000);
  await kept.run(HOSTS); // warm-up: scripts loaded, queue keys made
  const before = await usedMemory(redis);
  for (let i = 0; i < KEPT_RUNS; i++) await kept.run(100);
  const perHostKept = ((await usedMemory(redis)) - before) / (KEPT_RUNS * 100);
  await kept.close();
  await redis.flushall();

  // 2. N consecutive runs under a 1 s retention.
  const short = await engineFor(local.url, 'short', 1000);
  await short.run(HOSTS);
  await new Promise((r) => setTimeout(r, 3000));
  const baseline = await usedMemory(redis);
  const baseKeys = await redis.dbsize();
  const baseCapped = await cappedStreams(redis, 'short');
  const baseKeyBytes = await keyBytes(redis, 'short');
  const samples: { runs: number; bytes: number; keys: number }[] = [];
  const t0 = performance.now();
  for (let i = 1; i <= RUNS; i++) {
    await short.run(HOSTS);
    if (i % Math.max(1, Math.floor(RUNS / 10)) === 0)
      samples.push({ runs: i, bytes: await usedMemory(redis), keys: await redis.dbsize() });
  }
  const took = (performance.now() - t0) / 1000;
  // Every run's keys expire 1 s after it ends; the reconciler prunes the run index every second.
  await new Promise((r) => setTimeout(r, 4000));
  const after = await usedMemory(redis);
  const afterKeys = await redis.dbsize();
  const afterCapped = await cappedStreams(redis, 'short');
  const afterKeyBytes = await keyBytes(redis, 'short');
  await short.close();

  console.log(`kept: ${KEPT_RUNS} runs of 100 hosts, retention 1 h`);
  console.log(`  ${againstGoal('redisBytesPerHost', perHostKept, 0)}`);
  console.log(
    `${RUNS} consecutive runs of ${HOSTS} hosts, retention 1 s (${took.toFixed(0)} s, ${(RUNS / took).toFixed(1)} runs/s)`,
  );
  console.log(`  runs      used_memory   keys`);
  console.log(`  0     ${String(baseline).padStart(13)}  ${String(baseKeys).padStart(5)}`);
  for (const s of samples)
    console.log(
      `  ${String(s.runs).padEnd(5)} ${String(s.bytes).padStart(13)}  ${String(s.keys).padStart(5)}`,
    );
  console.log(`  after  ${String(after).padStart(12)}  ${String(afterKeys).padStart(5)}  (all expired)`);
  console.log(`  keys left beyond the start: ${afterKeys - baseKeys}`);
  console.log(
    `  of the growth, the capped streams (global run events ≤ 10,000, each BullMQ queue's events ≤ 1,000): ${afterCapped - baseCapped} B`,
  );
  const overhead = Math.max(0, (after - baseline - (afterCapped - baseCapped)) / (RUNS * HOSTS));
  console.log(
    `  used_memory grown beyond the capped streams: ${overhead.toFixed(1)} B per host (allocator and hash-table overhead: no key holds it)`,
  );
  console.log(
    `  bytes the keys hold beyond the capped streams: ${baseKeyBytes} B at the start, ${afterKeyBytes} B after`,
  );
  const perHostAfter = Math.max(0, (afterKeyBytes - baseKeyBytes) / (RUNS * HOSTS));
  console.log(`  ${againstGoal('redisBytesPerHostAfterExpiry', perHostAfter, 1)}`);
} finally {
  redis.disconnect();
  await local.destroy();
}
