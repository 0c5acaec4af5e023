/**
 * Slack calls per rollout of 1,000 hosts (canary + 4 batches) through the ProgressNotifier and the
 * Slack stand-in, with the real WebClient and a real redis-server. Goals: bench/support/goals.ts.
 *
 * Two pacings: events as fast as they come (every edit coalesced), and spread over `PACED_MS` of wall
 * time with the default 2 s edit interval (parent edits then grow with time, at most one per interval).
 * Run: `npx tsx bench/slack-calls.ts [--runs 3] [--quick]` (prints medians of the runs).
 */
import { LogLevel, WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import { SlackStandin } from '../src/local/slack-standin/index.js';
import { LocalRedis } from '../src/local/redis-server.js';
import { silentLogger } from '../src/log/index.js';
import { ProgressNotifier, RedisThreadStore, webClientChat } from '../src/slack/progress/index.js';
import { RunModel, rolloutEvents } from '../test/support/slack/run-model.js';
import { GOALS } from './support/goals.js';
import { benchOptions, count } from './support/options.js';

const USAGE = `
slack-calls: Slack Web API calls per 1,000-host rollout (canary + 4 batches) through the progress
notifier and the Slack stand-in, burst and paced.
  npx tsx bench/slack-calls.ts [--runs N] [--quick]
  --runs N   runs of each pacing (default 3; --quick: 1, paced over 5 s instead of 10 s)
`;
const options = benchOptions(USAGE, { runs: { type: 'string' } });

const TOKEN = 'xoxb-bench-0-slack-calls';
const RUNS = count(options['runs'], options['quick'] ? 1 : 3, 'runs');
const PACED_MS = options['quick'] ? 5_000 : 10_000;

interface Count {
  calls: number;
  posts: number;
  edits: number;
  limited: number;
}

async function once(redisUrl: string, pacedMs: number, i: number): Promise<Count> {
  const standin = await SlackStandin.start({ token: TOKEN });
  const redis = new Redis(redisUrl);
  const model = new RunModel();
  const notifier = new ProgressNotifier({
    chat: webClientChat(new WebClient(TOKEN, { slackApiUrl: standin.url, logLevel: LogLevel.ERROR })),
    store: new RedisThreadStore(redis, `bench-${Date.now()}-${i}`),
    getRun: (runId) => Promise.resolve(model.get(runId)),
    logger: silentLogger(),
  });
  const events = rolloutEvents({
    runId: `bench-${i}`,
    hosts: 1000,
    canary: 10,
    batches: 4,
    failRate: 0.01,
    seed: i + 1,
    progressEvery: 10,
  });
  const pause = pacedMs / events.length;
  let due = Date.now();
  for (const event of events) {
    model.apply(event);
    notifier.handle(event);
    if (pause > 0) {
      due += pause;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
  await notifier.close();
  const accepted = standin.accepted();
  const result = {
    calls: accepted.length,
    posts: accepted.filter((c) => c.method === 'chat.postMessage').length,
    edits: accepted.filter((c) => c.method === 'chat.update').length,
    limited: standin.calls.length - accepted.length,
  };
  await standin.stop();
  await redis.quit();
  return result;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const local = process.env.REDIS_URL ? undefined : await LocalRedis.start();
  const url = process.env.REDIS_URL ?? local!.url;
  try {
    for (const [label, paced] of [
      ['burst (events as fast as they come)', 0],
      [`paced over ${PACED_MS / 1000}s, 2s edit interval`, PACED_MS],
    ] as const) {
      const results: Count[] = [];
      for (let i = 0; i < RUNS; i++) results.push(await once(url, paced, i));
      const m = (k: keyof Count) => median(results.map((r) => r[k]));
      console.log(
        `slack-calls 1000 hosts, canary + 4 batches, ${label}: median ${m('calls')} calls (${m('posts')} posts, ${m('edits')} edits, ${m('limited')} answered 429) over ${RUNS} runs; goal ≤ ${GOALS.slackCallsPerRun.limit} + 1 per minute of run time (${(GOALS.slackCallsPerRun.limit + Math.ceil(paced / 60_000)).toString()} here), zero 429s`,
      );
    }
  } finally {
    await local?.destroy();
  }
}

await main();
