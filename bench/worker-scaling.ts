/**
 * Does a second worker process add throughput? One 2,000-host no-op rollout, run with 1 worker process
 * and then with 2 (each its own OS process with its own Workers, sharing one fresh LocalRedis), timed
 * from start to `run.finished`; the ratio of the medians is the speed-up. The starting process runs no
 * Workers, so both sides pay the same for starting and watching the run; the worker processes warm up
 * on a run of their own first. Goal: bench/support/goals.ts.
 *
 *   npx tsx bench/worker-scaling.ts [--hosts 2000] [--rounds 3] [--quick]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RunEvent } from '../src/engine/model/events.js';
import { createRegistry } from '../src/engine/registry.js';
import { createEngine } from '../src/engine/runtime/create-engine.js';
import { LocalRedis } from '../src/local/redis-server.js';
import { silentLogger } from '../src/log/index.js';
import { againstGoal, usageWithGoals } from './support/goals.js';
import { noopRollout } from './support/noop-rollout.js';
import { benchOptions, count } from './support/options.js';

const CONCURRENCY = 32;
/** Hosts of the run each side's worker processes warm up on before the timed run. */
const WARM_UP_HOSTS = 2000;

const noop = noopRollout({ name: 'noop', concurrency: CONCURRENCY * 2 });

const child = process.env.MARSHAL_BENCH_WORKER;
if (child) {
  // A worker process: Workers only, until the parent closes our stdin.
  const [url, prefix] = child.split(' ');
  const engine = await createEngine({
    redis: url!,
    prefix: prefix!,
    registry: createRegistry([noop]),
    logger: silentLogger(),
  });
  engine.startWorkers({ concurrency: CONCURRENCY });
  process.stdout.write('ready\n');
  process.stdin.resume();
  process.stdin.on('end', () => void engine.close().then(() => process.exit(0)));
} else {
  const USAGE = usageWithGoals(
    `
worker-scaling: a no-op rollout with 1 worker process, then 2 (median wall times and their ratio).
  npx tsx bench/worker-scaling.ts [--hosts N] [--rounds N] [--quick]
  --hosts N    hosts of each run (default 2000; --quick: 500)
  --rounds N   runs per side (default 3; --quick: 1)
`,
    ['twoWorkersOverOne'],
  );
  const options = benchOptions(USAGE, { hosts: { type: 'string' }, rounds: { type: 'string' } });
  const quick = options['quick'] === true;
  const HOSTS = count(options['hosts'], quick ? 500 : 2000, 'hosts');
  const ROUNDS = Math.max(1, count(options['rounds'], quick ? 1 : 3, 'rounds'));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  const startWorker = async (url: string, prefix: string): Promise<ChildProcess> => {
    const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, MARSHAL_BENCH_WORKER: `${url} ${prefix}` },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    for await (const line of createInterface({ input: proc.stdout })) if (line === 'ready') break;
    return proc;
  };

  /** One run of HOSTS no-op hosts on `workers` worker processes, under a fresh prefix: wall ms. */
  const timed = async (url: string, prefix: string, workers: number): Promise<number> => {
    const procs = await Promise.all(Array.from({ length: workers }, () => startWorker(url, prefix)));
    const engine = await createEngine({
      redis: url,
      prefix,
      registry: createRegistry([noop]),
      logger: silentLogger(),
    });
    try {
      const done = new Map<string, () => void>();
      const sub = await engine.events.subscribe((e: RunEvent) => {
        if (e.type === 'run.finished') done.get(e.runId)?.();
      });
      const run = async (n: number): Promise<number> => {
        const t0 = performance.now();
        const runId = await engine.start({ workflow: 'noop', params: { n }, requester: 'U-BENCH' });
        await new Promise<void>((res) => done.set(runId, res));
        return performance.now() - t0;
      };
      // Every worker process warms up first (its code compiled by V8), as a long-running worker is: a
      // cold process spends much of a short run compiling, and two cold processes compile twice.
      await run(WARM_UP_HOSTS);
      const wall = await run(HOSTS);
      await sub.close();
      return wall;
    } finally {
      await engine.close();
      for (const p of procs) {
        p.stdin!.end();
        await once(p, 'exit');
      }
    }
  };

  const local = await LocalRedis.start();
  try {
    await timed(local.url, 'warm', 1); // scripts loaded, code compiled in Redis and the page cache
    const one: number[] = [];
    const two: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      one.push(await timed(local.url, `one-${round}`, 1));
      two.push(await timed(local.url, `two-${round}`, 2));
    }
    const [m1, m2] = [median(one), median(two)];
    console.log(
      `worker-scaling: ${HOSTS} no-op hosts, ${ROUNDS} round(s), Workers of concurrency ${CONCURRENCY} per process`,
    );
    console.log(
      `  1 worker process:  median ${(m1 / 1000).toFixed(2)} s (${one.map((x) => (x / 1000).toFixed(2)).join(', ')})`,
    );
    console.log(
      `  2 worker processes: median ${(m2 / 1000).toFixed(2)} s (${two.map((x) => (x / 1000).toFixed(2)).join(', ')})`,
    );
    console.log(`  ${againstGoal('twoWorkersOverOne', m1 / m2, 2)}`);
  } finally {
    await local.destroy();
  }
}
