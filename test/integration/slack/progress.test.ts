import { Writable } from 'node:stream';
import { LogLevel, WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RunLost } from '../../../src/engine/errors/run-lost.js';
import type { RunEvent } from '../../../src/engine/model/events.js';
import { SlackStandin, renderThreadAsText } from '../../../src/local/slack-standin/index.js';
import { createLogger } from '../../../src/log/index.js';
import { ProgressNotifier, RedisThreadStore, webClientChat } from '../../../src/slack/progress/index.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { RunModel, rolloutEvents, type RolloutScript } from '../../support/slack/run-model.js';

const TOKEN = 'xoxb-42-progress-test';
const CHANNEL = 'C0MARSHAL';
const INTERVAL_MS = 100;

let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
afterAll(async () => {
  await redis.quit();
});

interface Rig {
  standin: SlackStandin;
  model: RunModel;
  notifier: ProgressNotifier;
  logs: string[];
  newNotifier(): ProgressNotifier;
}

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.notifier.close();
  await rig?.standin.stop();
  rig = undefined;
});

async function startRig(options: { retries?: number; maxAttempts?: number } = {}): Promise<Rig> {
  const standin = await SlackStandin.start({
    token: TOKEN,
    rateLimits: { updatePerMessageMs: INTERVAL_MS - 20, postMessageBurst: 50 },
  });
  const model = new RunModel();
  const logs: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString());
        done();
      },
    }),
  });
  const store = new RedisThreadStore(redis, uniquePrefix('progress'));
  const web = new WebClient(TOKEN, {
    slackApiUrl: standin.url,
    logLevel: LogLevel.ERROR,
    retryConfig: { retries: options.retries ?? 10, minTimeout: 0, maxTimeout: 1 },
  });
  const newNotifier = () =>
    new ProgressNotifier({
      chat: webClientChat(web),
      store,
      getRun: (runId) => Promise.resolve(model.get(runId)),
      logger,
      updateIntervalMs: INTERVAL_MS,
      maxAttempts: options.maxAttempts ?? 8,
      retryDelayMs: 50,
      auditRef: (runId) => `audit:${runId}`,
    });
  rig = { standin, model, notifier: newNotifier(), logs, newNotifier };
  return rig;
}

/** Events go into the engine's record (the model) first, then to the notifier, as the engine publishes them. */
function feed(r: Rig, events: RunEvent[], notifier = r.notifier): void {
  for (const event of events) {
    r.model.apply(event);
    notifier.handle(event);
  }
}

function parentTs(r: Rig): string {
  const parents = r.standin.messages(CHANNEL);
  expect(parents).toHaveLength(1);
  return parents[0]!.ts;
}

/** What each reply is, from its notification text: `canary`, `batch 2/4`, `approval`, `summary`, … */
function replyKinds(r: Rig): string[] {
  return r.standin
    .thread(CHANNEL, parentTs(r))
    .slice(1)
    .map((m) => {
      const stage = m.text.match(/(Canary|Batch \d+\/\d+) done/);
      if (stage) return stage[1]!.toLowerCase();
      if (/approval|Approval/.test(m.text)) return 'approval';
      if (/^config-push (succeeded|failed|aborted)/.test(m.text)) return 'summary';
      return `other: ${m.text}`;
    });
}

const FULL_THREAD = ['canary', 'approval', 'batch 1/4', 'batch 2/4', 'batch 3/4', 'batch 4/4', 'summary'];

const script = (hosts: number, extra: Partial<RolloutScript> = {}): RolloutScript => ({
  runId: `run-${hosts}-${Math.random().toString(36).slice(2, 8)}`,
  hosts,
  canary: 5,
  batches: 4,
  failRate: 0.02,
  seed: hosts,
  ...extra,
});

describe('ProgressNotifier against the Slack stand-in (real WebClient, real Redis)', () => {
  it('keeps one thread per run whose Slack calls depend on stages, not hosts, and ends in the final state', async () => {
    const counts: number[] = [];
    for (const hosts of [30, 400]) {
      const r = await startRig();
      const s = script(hosts);
      feed(r, rolloutEvents(s));
      await r.notifier.flush();

      const thread = r.standin.thread(CHANNEL, parentTs(r));
      const parent = thread[0]!;
      expect(JSON.stringify(parent.blocks)).toContain(':white_check_mark: config-push — succeeded');
      expect(parent.text).toMatch(/succeeded/);
      expect(replyKinds(r)).toEqual(FULL_THREAD);
      // The approval card was replaced by the decided card: no buttons left.
      expect(JSON.stringify(thread[2]!.blocks)).toContain('Approved by <@U0APPROVER>');
      expect(JSON.stringify(thread[2]!.blocks)).not.toContain('marshal_approve');

      const calls = r.standin.accepted();
      expect(r.standin.calls.every((c) => c.status === 200 || c.status === 429)).toBe(true);
      // 1 parent + canary + card + 4 batches + summary = 8 posts; 1 card edit; parent edits are coalesced.
      const stages = 1 + 4;
      expect(calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(stages + 3);
      expect(calls.length).toBeLessThanOrEqual(2 * stages + 10);
      counts.push(calls.length);
      await r.notifier.close();
      await r.standin.stop();
      rig = undefined;
    }
    // 13x the hosts, and no more calls than a couple of coalesced edits' worth.
    expect(Math.abs(counts[1]! - counts[0]!)).toBeLessThanOrEqual(3);
  });

  it('loses no message and keeps order through a 429 storm', async () => {
    const r = await startRig();
    const s = script(300);
    const events = rolloutEvents(s);
    const gateAt = events.findIndex((e) => e.type === 'gate.waiting');
    feed(r, events.slice(0, gateAt));
    r.standin.rateLimitStorm({ calls: 4, retryAfterSec: 1 });
    feed(r, events.slice(gateAt));
    await r.notifier.flush();

    expect(r.standin.calls.filter((c) => c.status === 429)).toHaveLength(4);
    expect(replyKinds(r)).toEqual(FULL_THREAD);
    expect(JSON.stringify(r.standin.message(CHANNEL, parentTs(r))!.blocks)).toContain('succeeded');
  });

  it('retries a call that still fails after WebClient gave up, and logs it without the token', async () => {
    const r = await startRig({ retries: 0 });
    const s = script(50);
    const events = rolloutEvents(s);
    const gateAt = events.findIndex((e) => e.type === 'gate.waiting');
    feed(r, events.slice(0, gateAt));
    await r.notifier.flush();
    r.standin.rateLimitStorm({ calls: 3, retryAfterSec: 0 });
    feed(r, events.slice(gateAt));
    await r.notifier.flush();

    expect(replyKinds(r)).toEqual(FULL_THREAD);
    const warnings = r.logs.filter((l) => l.includes('will retry'));
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(r.logs.join('\n')).not.toContain(TOKEN);
  });

  it('ends in the final state when the run finishes before its parent message is posted', async () => {
    const r = await startRig();
    const events = rolloutEvents(script(20));
    // The parent post is drawn while the run is running, then waits out two 429s (1 s each) ...
    r.standin.rateLimitStorm({ calls: 2, retryAfterSec: 1 });
    feed(r, events.slice(0, 1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // ... while the whole run happens: its final edit finds no parent to edit yet.
    feed(r, events.slice(1));
    await r.notifier.flush();

    expect(JSON.stringify(r.standin.message(CHANNEL, parentTs(r))!.blocks)).toContain('succeeded');
    expect(replyKinds(r)).toEqual(FULL_THREAD);
  });

  it('a restarted notifier keeps editing the same parent and does not repeat milestones', async () => {
    const r = await startRig();
    const s = script(40);
    const events = rolloutEvents(s);
    const half = events.findIndex((e) => e.type === 'gate.decided');
    feed(r, events.slice(0, half));
    await r.notifier.close();

    // The new process sees the whole history again (RunEvents.history) and then the rest.
    r.notifier = r.newNotifier();
    for (const event of events.slice(0, half)) r.notifier.handle(event);
    feed(r, events.slice(half));
    await r.notifier.flush();

    expect(r.standin.messages(CHANNEL)).toHaveLength(1);
    expect(replyKinds(r)).toEqual(FULL_THREAD);
    expect(JSON.stringify(r.standin.message(CHANNEL, parentTs(r))!.blocks)).toContain('succeeded');
    if (process.env.SHOW_THREAD) console.log(renderThreadAsText(r.standin.thread(CHANNEL, parentTs(r))));
  });

  it('posts a lost run in its thread, naming the hosts touched, and stops asking for the gone run', async () => {
    const r = await startRig();
    const s = script(40);
    const events = rolloutEvents(s);
    const gateAt = events.findIndex((e) => e.type === 'gate.decided');
    feed(r, events.slice(0, gateAt));
    await r.notifier.flush();
    // Redis lost the run: the engine now answers with RunLost for it.
    const known = r.model.get.bind(r.model);
    r.model.get = (runId: string) => {
      if (runId === s.runId) throw new RunLost({ runId, hosts: ['web-001', 'web-002'], why: 'gone' });
      return known(runId);
    };
    r.notifier.handle({
      type: 'run.lost',
      runId: s.runId,
      at: new Date().toISOString(),
      hosts: ['web-001', 'web-002'],
      why: 'Redis restarted without its data',
      detectedAt: new Date().toISOString(),
    });
    await r.notifier.flush();

    const last = r.standin.thread(CHANNEL, parentTs(r)).at(-1)!;
    expect(last.text).toMatch(/LOST/);
    expect(JSON.stringify(last.blocks)).toContain('web-001, web-002');
    expect(r.logs.join('\n')).not.toMatch(/giving up on it|will retry/);
  });
});
