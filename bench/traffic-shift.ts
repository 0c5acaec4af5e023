/**
 * DR drill traffic shift: from "the check passed, shift now" to HAProxy serving the new weights.
 *   npx tsx bench/traffic-shift.ts [--rounds 100] [--quick]
 * A real haproxy in front of two real HTTP backends (one per region). Each round moves all traffic to
 * the other region and measures, from the call:
 *   - applied: Marshal's shift returned (names verified, weights set raised-before-lowered, read back)
 *   - serving: the first request sent through the frontend afterwards is answered by the new region
 * side by side with a bare baseline that writes the same `set weight` commands to the socket and
 * checks nothing. Reports p50 and p99 over rounds.
 */
import { createConnection } from 'node:net';
import { regionsServing, RegionBackend } from '../src/local/drill/region-backend.js';
import { WeightedHaproxy } from '../src/local/drill/weighted-haproxy.js';
import { HaproxyRuntime } from '../src/traffic/haproxy/haproxy-runtime.js';
import { UnixRuntimeSocket } from '../src/traffic/haproxy/runtime-socket.js';
import { planWeights } from '../src/traffic/weights/plan-weights.js';
import { againstGoal, usageWithGoals } from './support/goals.js';
import { benchOptions, count } from './support/options.js';

const USAGE = usageWithGoals(
  `
traffic-shift: passed check → HAProxy serving the new weights, Marshal's shift vs bare socket writes.
  npx tsx bench/traffic-shift.ts [--rounds N] [--quick]
  --rounds N  shifts per side (default 100; --quick: 20)
`,
  ['drillShiftP99'],
);
const options = benchOptions(USAGE, { rounds: { type: 'string' } });
const ROUNDS = count(options['rounds'], options['quick'] ? 20 : 100, 'rounds');

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};

function bareSend(socket: string, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = createConnection(socket);
    s.once('connect', () => s.end(`${line}\n`));
    s.on('data', () => undefined);
    s.once('close', () => resolve());
    s.once('error', reject);
  });
}

async function main(): Promise<void> {
  const west = await RegionBackend.start('eu-west', 'west-1');
  const central = await RegionBackend.start('eu-central', 'central-1');
  const haproxy = await WeightedHaproxy.start([
    {
      name: 'checkout',
      servers: [
        { name: 'west1', host: west.host, port: west.port, weight: 100 },
        { name: 'central1', host: central.host, port: central.port, weight: 0 },
      ],
    },
  ]);
  const runtime = new HaproxyRuntime(new UnixRuntimeSocket(haproxy.socketPath));
  const sides = { primary: ['west1'], secondary: ['central1'], fullWeight: 100 };
  const servedBy = async (): Promise<string> => Object.keys(await regionsServing(haproxy.frontendUrl, 1))[0]!;

  const measure = async (shift: (share: number) => Promise<void>) => {
    const applied: number[] = [];
    const serving: number[] = [];
    // The first shifts warm up the JIT and the connections; they are not counted.
    const WARMUP = 10;
    for (let i = -WARMUP; i < ROUNDS * 2; i++) {
      const share = i % 2 === 0 ? 100 : 0;
      const expected = share === 100 ? 'eu-central' : 'eu-west';
      const t0 = performance.now();
      await shift(share);
      const appliedMs = performance.now() - t0;
      while ((await servedBy()) !== expected) {
        /* the next request tells when the new weights serve */
      }
      if (i < 0) continue;
      applied.push(appliedMs);
      serving.push(performance.now() - t0);
    }
    return { applied, serving };
  };

  try {
    const marshal = await measure(async (share) => {
      await runtime.setWeights('checkout', planWeights(sides, share).weights);
    });
    const bare = await measure(async (share) => {
      for (const [server, weight] of planWeights(sides, share).weights)
        await bareSend(haproxy.socketPath, `set weight checkout/${server} ${weight}`);
    });
    console.log(`shift, ${ROUNDS * 2} shifts each                  p50 ms   p99 ms`);
    for (const [name, m] of [
      ['marshal applied (verified, read back)', marshal.applied],
      ['marshal → serving new weights', marshal.serving],
      ['bare socket applied', bare.applied],
      ['bare → serving new weights', bare.serving],
    ] as const)
      console.log(
        `${name.padEnd(40)} ${percentile(m, 50).toFixed(2).padStart(7)} ${percentile(m, 99).toFixed(2).padStart(8)}`,
      );
    console.log(againstGoal('drillShiftP99', percentile(marshal.serving, 99)));
  } finally {
    await haproxy.stop();
    await west.stop();
    await central.stop();
  }
}

await main();
