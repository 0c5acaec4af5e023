/**
 * Gate opened → approval card posted, during a long run: the real engine on a fresh LocalRedis, the
 * ProgressNotifier with the real WebClient against the Slack stand-in (its rate limits on), and a long
 * rollout in the same channel whose thread keeps being edited and replied to. Each round (one every 3 s)
 * starts a gated run (canary, approval, one batch) in that channel; the figure is the time from its
 * `gate.waiting` event to the stand-in accepting the `chat.postMessage` of its approval card.
 * Goal: bench/support/goals.ts.
 *
 *   npx tsx bench/gate-to-card.ts [--rounds 20] [--quick]
 */
import { LogLevel, WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { defineWorkflow } from '../src/engine/dag/compile-workflow.js';
import type { RunEvent } from '../src/engine/model/events.js';
import { createRegistry } from '../src/engine/registry.js';
import { createEngine } from '../src/engine/runtime/create-engine.js';
import { LocalRedis } from '../src/local/redis-server.js';
import { SlackStandin } from '../src/local/slack-standin/index.js';
import { silentLogger } from '../src/log/index.js';
import { MARSHAL_APPROVE } from '../src/slack/blocks/action-ids.js';
import { ProgressNotifier, RedisThreadStore, webClientChat } from '../src/slack/progress/index.js';
import { againstGoal, usageWithGoals } from './support/goals.js';
import { benchOptions, count } from './support/options.js';

const USAGE = usageWithGoals(
  `
gate-to-card: gate opened → approval card posted (Slack stand-in accepted it), while a long rollout in
the same channel keeps its thread busy with edits and replies.
  npx tsx bench/gate-to-card.ts [--rounds N] [--quick]
  --rounds N   gated runs measured, one every 3 s (default 20; --quick: 6)
`,
  ['gateToCardP99'],
);
const options = benchOptions(USAGE, { rounds: { type: 'string' } });
const ROUNDS = count(options['rounds'], options['quick'] ? 6 : 20, 'rounds');
const TOKEN = 'xoxb-bench-0-gate-to-card';
const CHANNEL = 'C0MARSHAL';
const GATE_EVERY_MS = 3000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const long = defineWorkflow({
  name: 'long',
  summary: 'a long rollout: many small batches of short steps, so its thread is always busy',
  params: z.object({ n: z.number() }),
  tasks(wf) {
    wf.rollout('long', {
      targets: (ctx) => Array.from({ length: ctx.params.n }, (_, i) => `l-${i}`),
      strategy: () => ({
        canary: 0,
        batches: Array.from({ length: 50 }, () => '2%'),
        concurrency: 20,
        soakMs: 0,
        maxFailPercentPerBatch: 100,
        maxFailPercentTotal: 100,
      }),
      step: { name: 'sleep', apply: async () => (await sleep(20), { changed: true }) },
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

const local = await LocalRedis.start();
const standin = await SlackStandin.start({ token: TOKEN });
const redis = new Redis(local.url);
try {
  const engine = await createEngine({
    redis: local.url,
    prefix: 'bench',
    registry: createRegistry([long, gated]),
    logger: silentLogger(),
  });
  const pool = engine.startWorkers({ concurrency: 20 });
  const notifier = new ProgressNotifier({
    chat: webClientChat(new WebClient(TOKEN, { slackApiUrl: standin.url, logLevel: LogLevel.ERROR })),
    store: new RedisThreadStore(redis, 'bench'),
    getRun: (runId, targets) => engine.get(runId, targets ? { targets } : undefined),
    logger: silentLogger(),
  });
  const notified = await notifier.subscribe(engine.events);
  const waiting = new Map<string, (at: number) => void>();
  const sub = await engine.events.subscribe((e: RunEvent) => {
    if (e.type === 'gate.waiting') waiting.get(e.runId)?.(Date.parse(e.at));
  });
  const cardAt = async (runId: string): Promise<number> => {
    for (;;) {
      const card = standin.calls.find(
        (c) =>
          c.method === 'chat.postMessage' &&
          c.status === 200 &&
          JSON.stringify(c.args).includes(MARSHAL_APPROVE) &&
          JSON.stringify(c.args).includes(runId),
      );
      if (card) return card.at;
      await sleep(5);
    }
  };

  const longRun = await engine.start({
    workflow: 'long',
    params: { n: 200_000 },
    requester: 'U-OTHER',
    meta: { channel: CHANNEL },
  });
  await sleep(3000);
  const ms: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let opened!: (at: number) => void;
    const openedAt = new Promise<number>((r) => (opened = r));
    const runId = await engine.start({
      workflow: 'gated',
      params: {},
      requester: 'U-REQ',
      meta: { channel: CHANNEL },
    });
    waiting.set(runId, opened);
    const t0 = await openedAt;
    ms.push((await cardAt(runId)) - t0);
    await engine.decide({ runId, gateId: 'g.approval', decision: 'approve', by: 'U-APPROVER' });
    // Spread the gates over the long run's life, as people click: each gated run posts five messages
    // (parent, canary done, card, batch done, summary) and Slack takes about one a second per channel.
    await sleep(GATE_EVERY_MS);
  }
  const stillRunning = (await engine.get(longRun, { targets: 'notable' })).state === 'running';
  await engine.abort(longRun, 'U-OTHER');
  const limited = standin.calls.filter((c) => c.status === 429).length;
  console.log(`gate opened → approval card posted, ${ROUNDS} gates while a long rollout runs in the channel`);
  console.log(
    `  p50 ${pct(ms, 50).toFixed(0)} ms   p99 ${pct(ms, 99).toFixed(0)} ms   (${limited} Slack calls answered 429)`,
  );
  console.log(againstGoal('gateToCardP99', pct(ms, 99), 0));
  if (!stillRunning) console.log('  (the long run ended before the last gate: partly idle)');
  await sub.close();
  await notified.close();
  await notifier.close();
  await pool.close();
  await engine.close();
} finally {
  await redis.quit();
  await standin.stop();
  await local.destroy();
}
