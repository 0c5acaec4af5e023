/**
 * Slash-command acknowledgement latency: 20 signed commands at once, in rounds, against Marshal's Slack
 * app over HTTP (real Bolt path, the Slack stand-in as Web API, the real engine on a local Redis),
 * first idle, then while a 1,000-host rollout runs with workers in the same process as the app.
 * Latency = from sending the request to receiving the HTTP response (Slack's 3 s clock). Goals: bench/support/goals.ts.
 * The load comes from a separate process (as Slack's requests would), and a bare node:http server that
 * answers at once is measured the same way: the floor this machine allows.
 *
 *   npx tsx bench/slack-ack.ts [--rounds 25] [--hosts 1000] [--quick]
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { parseMarshalConfig } from '../src/config/marshal-config.js';
import { createEngine, createRegistry, defineWorkflow } from '../src/engine/index.js';
import { LocalRedis } from '../src/local/redis-server.js';
import { SlackStandin } from '../src/local/slack-standin/index.js';
import { silentLogger } from '../src/log/index.js';
import { createSlackApp } from '../src/slack/app/index.js';
import { loadWorkflowCatalog } from '../src/app/workflow-catalog.js';
import { commandBody, sendSigned } from '../src/local/slack-standin/signed-requests.js';
import { againstGoal, usageWithGoals } from './support/goals.js';
import { benchOptions, count } from './support/options.js';

const USAGE = usageWithGoals(
  `
slack-ack: slash-command acknowledgement latency (real Bolt path, signed requests), idle and while a
rollout runs, against a bare node:http server (the floor).
  npx tsx bench/slack-ack.ts [--rounds N] [--hosts N] [--quick]
  --rounds N  rounds of 20 concurrent commands (default 25; --quick: 5)
  --hosts N   targets of the rollout running meanwhile (default 1000)
`,
  ['slackAckP99'],
);
const IS_CLIENT = process.argv[2] === '--client';
const options = IS_CLIENT
  ? {}
  : benchOptions(USAGE, { rounds: { type: 'string' }, hosts: { type: 'string' } });
const HOSTS = count(options['hosts'], 1000, 'hosts');

const SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const TOKEN = 'xoxb-1-2-benchbot';
const USER = 'U0BENCH';
const CONCURRENCY = 20;
const ROUNDS = IS_CLIENT
  ? Number(process.argv[4])
  : count(options['rounds'], options['quick'] ? 5 : 25, 'rounds');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const workflow = defineWorkflow({
  name: 'config-push',
  summary: 'bench: a rollout whose steps take 150 ms each',
  params: z.object({ bundle: z.string(), selector: z.string() }),
  tasks(wf) {
    wf.rollout('execution', {
      targets: (ctx) =>
        ctx.params.selector.startsWith('fleet')
          ? Array.from({ length: HOSTS }, (_, i) => `h-${i}`)
          : [ctx.params.selector],
      strategy: () => ({
        canary: 1,
        batches: ['10%', '50%', '100%'],
        concurrency: 8,
        soakMs: 0,
        maxFailPercentPerBatch: 100,
        maxFailPercentTotal: 100,
      }),
      step: { name: 'wait', apply: async () => (await sleep(150), { changed: true }) },
    });
  },
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const redisServer = await LocalRedis.start();
  const standin = await SlackStandin.start({
    token: TOKEN,
    users: [{ id: USER, name: 'bench' }],
    rateLimits: { enabled: false },
  });
  const registry = createRegistry([workflow]);
  const engine = await createEngine({
    redis: redisServer.url,
    prefix: 'bench',
    registry,
    logger: silentLogger(),
  });
  const workers = engine.startWorkers({ concurrency: 16 });
  const redis = new Redis(redisServer.url);
  const slack = createSlackApp({
    settings: {
      slack: { botToken: TOKEN, signingSecret: SECRET, appToken: undefined, apiUrl: standin.url },
      redisUrl: redisServer.url,
      port: 0,
      configPath: '',
      prefix: 'marshal',
    },
    engine,
    // The built-in workflows' commands (`/config push`), routed to this benchmark's own workflow.
    workflows: await loadWorkflowCatalog({ workflows: [], configDir: '/tmp' }),
    config: parseMarshalConfig(
      { inventory: 'x', access: { workflows: { 'config-push': { start: [USER], approve: [USER] } } } },
      'bench',
      '/tmp',
    ),
    logger: silentLogger(),
    redis,
    host: '127.0.0.1',
    port: 0,
  });
  const url = `http://127.0.0.1:${await slack.start()}/slack/events`;
  const probeRun = await engine.start({
    workflow: 'config-push',
    params: { bundle: 'b', selector: 'probe' },
    requester: USER,
  });

  // The client sends a mix of what operators type: status looks, refused input (answered in the ack), new small runs.
  const measure = async (label: string, target = url, spec = `${probeRun}`): Promise<number[]> => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...process.execArgv, process.argv[1]!, '--client', target, String(ROUNDS), spec],
      {
        maxBuffer: 1 << 24,
      },
    );
    const samples = JSON.parse(stdout) as number[] | { error: string };
    if (!Array.isArray(samples)) throw new Error(`${label}: ${samples.error}`);
    return samples.sort((a, b) => a - b);
  };
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end());
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/slack/events`;

  await measure('warm-up');
  const floor = await measure('bare http', bareUrl);
  const idle = await measure('idle');
  const rollout = await engine.start({
    workflow: 'config-push',
    params: { bundle: 'b', selector: 'fleet' },
    requester: USER,
  });
  await sleep(200);
  const busy = await measure('during rollout');
  const state = await engine.get(rollout);
  const done = state.targets.length;

  const row = (name: string, s: number[]) =>
    `${name.padEnd(24)} n=${String(s.length).padEnd(5)} p50=${percentile(s, 50).toFixed(1).padStart(6)} ms  p99=${percentile(s, 99).toFixed(1).padStart(6)} ms  max=${s.at(-1)!.toFixed(1).padStart(6)} ms`;
  console.log(`Slash-command ack latency, ${CONCURRENCY} concurrent signed commands x ${ROUNDS} rounds `);
  console.log(row('bare node:http (floor)', floor));
  console.log(row('Marshal, idle', idle));
  console.log(row('Marshal, rollout runs', busy));
  console.log(
    `rollout state when measuring ended: ${state.state}, ${done} of ${HOSTS} targets finished (it must still be running)`,
  );
  console.log(againstGoal('slackAckP99', percentile(busy, 99), 1));

  bare.close();
  await slack.stop();
  await workers.close();
  await engine.close();
  redis.disconnect();
  await standin.stop();
  await redisServer.destroy();
}

/** The load generator, in its own process: ROUNDS rounds of CONCURRENCY signed commands; prints the samples. */
async function client(target: string, probeRun: string): Promise<void> {
  const texts = (i: number): [string, string] =>
    i % 4 === 0
      ? ['/config', `push nginx to host-${i}`]
      : i % 4 === 1
        ? ['/config', 'push nginx to web --canary lots']
        : ['/ops', `status ${probeRun}`];
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, i) => {
        const [command, text] = texts(i);
        const body = commandBody({ user: USER, command, text });
        const t0 = performance.now();
        const res = await sendSigned(target, body, { secret: SECRET });
        samples.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`${command} ${text} answered ${res.status}`);
      }),
    );
  }
  process.stdout.write(JSON.stringify(samples));
}

(IS_CLIENT ? client(process.argv[3]!, process.argv[5]!) : main()).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
