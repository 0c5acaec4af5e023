/**
 * Engine cost per no-op host step, real engine on a fresh LocalRedis: worker CPU-ms (this process's
 * `cpuUsage`, the one process doing the work), Redis CPU-ms (INFO cpu), Redis commands and round-trip
 * makers per host (INFO commandstats, by command), and Redis bytes per finished host (MEMORY USAGE of
 * the run's keys once it finished). Goals: bench/support/goals.ts.
 *
 *   npx tsx bench/host-cost.ts [--hosts 2000] [--quick]
 */
import { Redis } from 'ioredis';
import type { RunEvent } from '../src/engine/model/events.js';
import { createRegistry } from '../src/engine/registry.js';
import { createEngine } from '../src/engine/runtime/create-engine.js';
import { LocalRedis } from '../src/local/redis-server.js';
import { silentLogger } from '../src/log/index.js';
import { againstGoal, usageWithGoals } from './support/goals.js';
import { noopRollout } from './support/noop-rollout.js';
import { benchOptions, count } from './support/options.js';

const USAGE = usageWithGoals(
  `
host-cost: engine CPU (worker, Redis), Redis commands and bytes per no-op host step.
  npx tsx bench/host-cost.ts [--hosts N] [--quick]
  --hosts N   hosts of the measured run (default 2000; --quick: 500)
`,
  ['engineCpuPerHostWorker', 'engineCpuPerHostRedis', 'redisBytesPerHost'],
);
const options = benchOptions(USAGE, { hosts: { type: 'string' } });
const HOSTS = count(options['hosts'], options['quick'] ? 500 : 2000, 'hosts');

const noop = noopRollout({ name: 'noop', concurrency: 32 });

async function redisCpuMs(r: Redis): Promise<number> {
  const info = await r.info('cpu');
  const v = (k: string) => Number(/^k:([\d.]+)/m.exec(info.replace(k, 'k'))?.[1] ?? 0);
  return (v('used_cpu_user') + v('used_cpu_sys')) * 1000;
}

async function commandStats(r: Redis): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of (await r.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    out.set(m[1]!, Number(m[2]));
  return out;
}

const local = await LocalRedis.start();
const r = new Redis(local.url);
try {
  const engine = await createEngine({
    redis: local.url,
    prefix: 'bench',
    registry: createRegistry([noop]),
    logger: silentLogger(),
  });
  engine.startWorkers({ concurrency: 32 });
  const done = new Map<string, () => void>();
  const sub = await engine.events.subscribe((e: RunEvent) => {
    if (e.type === 'run.finished') done.get(e.runId)?.();
  });
  const run = async (n: number): Promise<string> => {
    let finished!: () => void;
    const over = new Promise<void>((res) => (finished = res));
    const runId = await engine.start({ workflow: 'noop', params: { n }, requester: 'U-BENCH' });
    done.set(runId, finished);
    await over;
    return runId;
  };
  await run(50); // warm-up: scripts loaded, code compiled
  const [cpu0, rcpu0, cmd0, t0] = [
    process.cpuUsage(),
    await redisCpuMs(r),
    await commandStats(r),
    performance.now(),
  ];
  const runId = await run(HOSTS);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const [rcpu1, cmd1] = [await redisCpuMs(r), await commandStats(r)];
  const calls = [...cmd1].map(([c, n]) => [c, (n - (cmd0.get(c) ?? 0)) / HOSTS] as const);
  calls.sort((a, b) => b[1] - a[1]);
  let bytes = 0;
  for (const key of await r.keys(`bench:run:${runId}*`))
    bytes += Number((await r.memory('USAGE', key, 'SAMPLES', 0)) ?? 0);
  const workerMs = (cpu.user + cpu.system) / 1000 / HOSTS;
  console.log(
    `host-cost: ${HOSTS} no-op hosts, concurrency 32, one worker process, ${(wall / 1000).toFixed(1)} s`,
  );
  console.log(`  ${againstGoal('engineCpuPerHostWorker', workerMs)}`);
  console.log(`  ${againstGoal('engineCpuPerHostRedis', (rcpu1 - rcpu0) / HOSTS)}`);
  console.log(
    `  Redis commands per host: ${calls.reduce((s, [, n]) => s + n, 0).toFixed(1)} (${calls
      .filter(([, n]) => n >= 0.05)
      .map(([c, n]) => `${c} ${n.toFixed(2)}`)
      .join(', ')})`,
  );
  // The run's own keys only (MEMORY USAGE), so shared streams do not count here; retention.ts has the rest.
  console.log(`  ${againstGoal('redisBytesPerHost', bytes / HOSTS, 0)}`);
  await sub.close();
  await engine.close();
} finally {
  await r.quit();
  await local.destroy();
}
