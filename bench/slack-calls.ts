/**
 * Slack calls per rollout (canary + 4 batches) of 1,000 and of 10,000 hosts through the ProgressNotifier
 * and the Slack stand-in, with the real WebClient and a real redis-server. Goals: bench/support/goals.ts
 * (at most 20 calls + 1 per minute of run time, the same for both sizes, and no call answered 429).
 *
 * Two pacings: events as fast as they come (every edit coalesced), and spread over `PACED_MS` of wall
 * time with the default 2 s edit interval (parent edits then grow with time, at most one per interval).
 * Run: `npx tsx bench/slack-calls.ts [--runs 3] [--hosts 1000,10000] [--quick]` (prints medians of the runs).
 */
import { LogLevel, WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import { SlackStandin } from '../src/local/slack-standin/index.js';
import { LocalRedis } from '../src/local/redis-server.js';
import { silentLogger } from '../src/log/index.js';
import { ProgressNotifier, RedisThreadStore, webClientChat } from '../src/slack/progress/index.js';
import { RunModel, rolloutEvents } from '../test/support/slack/run-model.js';
import { againstGoal, againstLimit, GOALS, usageWithGoals } from './support/goals.js';
import { benchOptions, count } from './support/options.js';

const USAGE = usageWithGoals(
  `
slack-calls: Slack Web API calls per rollout (canary + 4 batches) of 1,000 and 10,000 hosts through the
progress notifier and the Slack stand-in, burst and paced.
  npx tsx bench/slack-calls.ts [--runs N] [--hosts N,N] [--quick]
  --runs N      runs of each size and pacing (default 3; --quick: 1, paced over 5 s instead of 10 s)
  --hosts N,N   rollout sizes (default 1000,10000)
`,
  ['slackCallsPerRun', 'slackRateLimited'],
);
const options = benchOptions(USAGE, { runs: { type: 'string' }, hosts: { type: 'string' } });
const SIZES = (typeof options['hosts'] === 'string' ? options['hosts'] : '1000,10000')
  .split(',')
  .map((text) => count(text.trim(), 0, 'hosts'))
  .filter((n) => n > 0);
if (SIZES.length === 0) {
  console.error('--hosts takes whole numbers above 0, comma-separated, e.g. 1000,10000');
  process.exit(2);
}

const TOKEN = 'xoxb-bench-0-slack-calls';
const RUNS = count(options['runs'], options['quick'] ? 1 : 3, 'runs');
const PACED_MS = options['quick'] ? 5_000 : 10_000;

interface Count {
  calls: number;
  posts: number;
  edits: number;
  limited: number;
}

async function once(redisUrl: string, hosts: number, pacedMs: number, i: number): Promise<Count> {
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
    hosts,
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
      [`paced over ${PACED_MS / 1000} s, 2 s edit interval`, PACED_MS],
    ] as const) {
      // The goal's allowance for this run time: 20 calls, and one more per started minute.
      const limit = GOALS.slackCallsPerRun.limit + Math.ceil(paced / 60_000);
      const calls: number[] = [];
      for (const hosts of SIZES) {
        const results: Count[] = [];
        for (let i = 0; i < RUNS; i++) results.push(await once(url, hosts, paced, i));
        const m = (k: keyof Count) => median(results.map((r) => r[k]));
        calls.push(m('calls'));
        console.log(
          `${hosts.toLocaleString('en')} hosts, canary + 4 batches, ${label}: median ${m('calls')} calls (${m('posts')} posts, ${m('edits')} edits) over ${RUNS} run(s)`,
        );
        console.log(`  ${againstLimit('slackCallsPerRun', m('calls'), limit)}`);
        console.log(`  ${againstGoal('slackRateLimited', Math.max(...results.map((r) => r.limited)), 0)}`);
      }
      if (calls.length > 1)
        console.log(
          `  the same for every size (goal): ${Math.min(...calls)}–${Math.max(...calls)} calls: ${Math.min(...calls) === Math.max(...calls) ? 'met' : 'NOT MET'}`,
        );
    }
  } finally {
    await local?.destroy();
  }
}

await main();
