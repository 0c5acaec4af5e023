import type { RunImage } from '../../src/notify/notifier.js';
import { Redis } from 'ioredis';
import type { MarshalConfig } from '../../src/config/marshal-config.js';
import { parseMarshalConfig } from '../../src/config/marshal-config.js';
import type { Settings } from '../../src/config/settings.js';
import {
  createEngine,
  createRegistry,
  defineWorkflow,
  type Engine,
  type EngineRuntime,
  type RunEvent,
} from '../../src/engine/index.js';
import { SlackStandin } from '../../src/local/slack-standin/index.js';
import { Writable } from 'node:stream';
import { createLogger, silentLogger } from '../../src/log/index.js';
import { createSlackApp, type SlackApp } from '../../src/slack/app/index.js';
import { renderApprovalCard, renderRunParent } from '../../src/slack/blocks/index.js';
import { RedisThreadStore } from '../../src/slack/progress/redis-thread-store.js';
import { z } from 'zod';
import { ConfigPushParams } from '../../workflows/config-push/params.js';
import { uniquePrefix } from './redis.js';
import type { AuditEntryInput } from '../../src/audit/index.js';
import { loadWorkflowCatalog } from '../../src/app/workflow-catalog.js';
import type { OpsControl } from '../../src/control/ops-control.js';
import { ChangeFreeze } from '../../src/control/change-freeze.js';
import { inertDeps } from '../../src/app/modules/inert-deps.js';
import { compileWorkflowModule } from '../../src/kit/template.js';
import {
  blockActionBody,
  commandBody,
  sendSigned,
  type ButtonPress,
  type SendOptions,
  type SlackResponse,
} from '../../src/local/slack-standin/signed-requests.js';

/**
 * Marshal's Slack app on a free loopback port, its Web API pointed at the Slack stand-in, the real
 * engine with in-process workers on the shared test Redis, and one small `config-push` workflow:
 * a rollout over the comma-separated hosts of the selector, canary first, then an approval gate.
 */
export const SIGNING_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const BOT_TOKEN = 'xoxb-1-2-marshaltestbot';
export const CHANNEL = 'C0MARSHAL';
export const REQUESTER = 'U0REQUESTER';
export const APPROVER = 'U0APPROVER';
export const OUTSIDER = 'U0OUTSIDER';

// The real workflow's params, so that what `/config push` sends is checked against the real contract.
export { ConfigPushParams };

/** The hosts each run changed, in order: the test workflow's real, countable effect. */
export const applied = new Map<string, string[]>();

/** Hosts put back by the rollback, per run. */
export const restored = new Map<string, string[]>();

/** What the test push ships (its plan identity): a test changes it to change the plan under a gate. */
export const shipped = { release: 'r1' };

export const testConfigPush = defineWorkflow({
  name: 'config-push',
  summary: 'test: push a bundle',
  params: ConfigPushParams,
  tasks(wf) {
    const validate = wf.task('validate', () => Promise.resolve(undefined));
    const execution = wf.rollout('execution', {
      after: validate,
      targets: (ctx) => ctx.params.selector.split(','),
      strategy: () => ({
        canary: 1,
        batches: ['100%'],
        concurrency: 4,
        soakMs: 0,
        maxFailPercentPerBatch: 100,
        maxFailPercentTotal: 100,
      }),
      approval: { timeoutMs: 120_000, plan: () => Promise.resolve({ release: shipped.release }) },
      step: {
        name: 'record',
        apply(ctx) {
          // `bad-*` hosts fail (within the budget): the run finishes with failures to retry.
          if (ctx.target.startsWith('bad-'))
            return Promise.reject(new Error(`${ctx.target} refused the change`));
          applied.set(ctx.runId, [...(applied.get(ctx.runId) ?? []), ctx.target]);
          return Promise.resolve({ changed: true });
        },
        rollback(ctx) {
          restored.set(ctx.runId, [...(restored.get(ctx.runId) ?? []), ctx.target]);
          return Promise.resolve();
        },
      },
    });
    wf.rollback('rollback', { of: execution });
  },
});

/** What the task after the choice read through its handle, per run. */
export const chosen = new Map<string, string | null>();

/** A choice gate between two tasks: the option picked in Slack is read downstream. */
export const testFailover = defineWorkflow({
  name: 'dr-choice',
  summary: 'test: fail over, then choose whether to fail back',
  params: z.object({}),
  tasks(wf) {
    const failover = wf.task('failover', () => Promise.resolve({ region: 'dr' }));
    const next = wf.choice('next', {
      after: failover,
      prompt: 'The service runs on DR. What now?',
      options: [
        { id: 'failback', label: 'Fail back now' },
        { id: 'stay', label: 'Stay on DR' },
      ],
      timeoutMs: 120_000,
    });
    wf.task(
      'act',
      (ctx) => {
        chosen.set(ctx.runId, ctx.output(next) ?? null);
        return Promise.resolve(undefined);
      },
      { after: next },
    );
  },
});

export const TEST_CONFIG: MarshalConfig = parseMarshalConfig(
  {
    inventory: 'inventory.yaml',
    access: {
      workflows: {
        // The requester is an approver too, so only four-eyes stops them approving their own run.
        'config-push': { start: ['S0STARTERS'], approve: ['S0APPROVERS', REQUESTER] },
        'dr-choice': { start: ['S0STARTERS'], approve: ['S0APPROVERS', REQUESTER] },
      },
    },
  },
  'test config',
  '/tmp',
);

export interface SlackAppFixture {
  standin: SlackStandin;
  /** The fixture's own Redis client and key prefix. */
  redis: Redis;
  prefix: string;
  engine: EngineRuntime;
  slack: SlackApp;
  url: string;
  events: RunEvent[];
  event(match: (e: RunEvent) => boolean): Promise<RunEvent>;
  send(body: string, options?: Partial<SendOptions>): Promise<SlackResponse>;
  command(user: string, command: string, text: string, triggerId?: string): Promise<SlackResponse>;
  press(p: ButtonPress): Promise<SlackResponse>;
  /** Resolves with the first ephemeral (text + blocks as JSON) sent to `user` that contains `piece`. */
  ephemeral(user: string, piece: string): Promise<string>;
  /** Every ephemeral sent to `user` so far. */
  ephemerals(user: string): string[];
  /** Resolves once the Slack app has logged a line with this message (its log is kept in memory). */
  logged(msg: string): Promise<Record<string, unknown>>;
  /**
   * Waits for the approval card of `runId`, posted (and recorded) as the progress thread would, and
   * returns its ts, its gate, the plan hash it shows and the ts of the run's thread parent.
   */
  approvalCard(runId: string): Promise<{ ts: string; gateId: string; plan: string; parentTs: string }>;
  close(): Promise<void>;
}

export interface FixtureOptions {
  /** Wraps the engine the Slack app is given (e.g. to slow `start` down). */
  wrapEngine?: (engine: Engine) => Engine;
  workers?: boolean;
  /** Directories of workflow modules, loaded as Marshal loads them (config `workflows:`), besides config-push. */
  workflowDirs?: string[];
  /** Fleet controls (stop-all, freeze, per-target access, schedules), built on the fixture's Redis and prefix. */
  control?: (input: { redis: Redis; prefix: string }) => OpsControl;
  /** Marshal's config (default TEST_CONFIG). */
  config?: MarshalConfig;
  /** Approvals the access config asks of each workflow (EngineOptions.quorumFor). */
  quorumFor?: (workflow: string) => number;
  /** More users in the approvers group (S0APPROVERS), e.g. for a quorum. */
  extraApprovers?: string[];
  /** The App Home tab, following the engine's events (createSlackApp's `home`, on the fixture's Redis). */
  home?: { minIntervalMs?: number; refreshMs?: number };
}

/** What the fixture's workflows recorded through the kit's standard deps (audit and alerts). */
export const recorded = {
  audit: [] as AuditEntryInput[],
  alerts: [] as { runId: string; to: readonly string[]; title: string; text: string }[],
  images: [] as RunImage[],
};

export async function startSlackAppFixture(
  redisUrl: string,
  options: FixtureOptions = {},
): Promise<SlackAppFixture> {
  const prefix = uniquePrefix('slack');
  const standin = await SlackStandin.start({
    token: BOT_TOKEN,
    users: [
      { id: REQUESTER, name: 'requester' },
      { id: APPROVER, name: 'approver' },
      { id: OUTSIDER, name: 'outsider' },
      ...(options.extraApprovers ?? []).map((id) => ({ id, name: id.toLowerCase() })),
    ],
    usergroups: [
      { id: 'S0STARTERS', handle: 'starters', users: [REQUESTER, APPROVER] },
      { id: 'S0APPROVERS', handle: 'approvers', users: [APPROVER, ...(options.extraApprovers ?? [])] },
    ],
    rateLimits: { enabled: false },
  });
  // The built-in modules' commands (`/config push`) route to the test's config-push; modules loaded from
  // `workflowDirs` run as themselves, on the kit's standard deps (no hosts: they must not need any).
  const catalog = await loadWorkflowCatalog({ workflows: options.workflowDirs ?? [], configDir: '/tmp' });
  let engineRef: EngineRuntime | undefined;
  const loaded = catalog
    .list()
    .filter((w) => !w.builtIn)
    .map((w) =>
      compileWorkflowModule(w.module, {
        ...inertDeps(w.dirs),
        audit: { append: (e) => Promise.resolve(void recorded.audit.push(e)) },
        notifier: {
          alert: (a) => Promise.resolve(void recorded.alerts.push(a)),
          image: (i) => Promise.resolve(void recorded.images.push(i)),
        },
        runs: {
          get: (runId) => engineRef!.get(runId),
          list: (o) => engineRef!.list(o),
          locks: () => engineRef!.locks(),
        },
        log: silentLogger(),
      }),
    );
  const registry = createRegistry([testConfigPush, testFailover, ...loaded]);
  const engine = await createEngine({
    redis: redisUrl,
    prefix,
    registry,
    logger: silentLogger(),
    ...(options.quorumFor ? { quorumFor: options.quorumFor } : {}),
  });
  engineRef = engine;
  if (options.workers !== false) engine.startWorkers({ concurrency: 8 });
  const events: RunEvent[] = [];
  const waiters: { match: (e: RunEvent) => boolean; resolve: (e: RunEvent) => void }[] = [];
  const sub = await engine.events.subscribe((e) => {
    events.push(e);
    for (const w of [...waiters]) {
      if (!w.match(e)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  });
  const event = (match: (e: RunEvent) => boolean): Promise<RunEvent> => {
    const seen = events.find(match);
    return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve }));
  };
  const redis = new Redis(redisUrl);
  const logLines: Record<string, unknown>[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        logLines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const settings: Settings = {
    slack: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, appToken: undefined, apiUrl: standin.url },
    redisUrl,
    port: 3000,
    configPath: '/dev/null',
    prefix: 'marshal',
  };
  const slack = createSlackApp({
    settings,
    engine: options.wrapEngine ? options.wrapEngine(engine) : engine,
    workflows: catalog,
    config: options.config ?? TEST_CONFIG,
    logger: createLogger({ destination: logStream, level: 'debug' }),
    ...(options.control ? { control: options.control({ redis, prefix }) } : {}),
    redis,
    keyPrefix: prefix,
    host: '127.0.0.1',
    port: 0,
    ...(options.home
      ? { home: { redis, freeze: new ChangeFreeze(redis, prefix, []), ...options.home } }
      : {}),
  });
  const port = await slack.start();
  await slack.home?.start();
  const url = `http://127.0.0.1:${port}/slack/events`;
  const cards = new Map<string, Promise<{ ts: string; gateId: string; plan: string; parentTs: string }>>();
  const threads = new RedisThreadStore(redis, prefix);

  const ephemeralTexts = (user: string): string[] =>
    standin
      .accepted('chat.postEphemeral')
      .filter((c) => c.args.user === user)
      .map((c) => `${String(c.args.text)} ${JSON.stringify(c.args.blocks ?? '')}`);

  return {
    standin,
    redis,
    prefix,
    engine,
    slack,
    url,
    events,
    event,
    send: (body, o = {}) => sendSigned(url, body, { secret: SIGNING_SECRET, ...o }),
    command: (user, command, text, triggerId) =>
      sendSigned(url, commandBody({ user, command, text, ...(triggerId ? { triggerId } : {}) }), {
        secret: SIGNING_SECRET,
      }),
    press: (p) => sendSigned(url, blockActionBody(p), { secret: SIGNING_SECRET }),
    async ephemeral(user, piece) {
      for (;;) {
        const text = ephemeralTexts(user).find((t) => t.includes(piece));
        if (text !== undefined) return text;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    ephemerals: ephemeralTexts,
    async logged(msg) {
      for (;;) {
        const line = logLines.find((l) => l.msg === msg);
        if (line) return line;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    approvalCard(runId) {
      let card = cards.get(runId);
      if (!card) {
        card = (async () => {
          const waiting = await event((e) => e.type === 'gate.waiting' && e.runId === runId);
          if (waiting.type !== 'gate.waiting') throw new Error('unreachable');
          const run = await engine.get(runId);
          const parent = await slack.app.client.chat.postMessage({
            channel: CHANNEL,
            ...renderRunParent(run, { now: new Date() }),
          });
          await threads.setParent(runId, { channel: CHANNEL, ts: parent.ts! });
          const posted = await slack.app.client.chat.postMessage({
            channel: CHANNEL,
            thread_ts: parent.ts!,
            ...renderApprovalCard(run, waiting),
          });
          await threads.setGateCard(runId, waiting.gateId, posted.ts!);
          return { ts: posted.ts!, gateId: waiting.gateId, plan: waiting.planHash!, parentTs: parent.ts! };
        })();
        cards.set(runId, card);
      }
      return card;
    },
    async close() {
      await slack.home?.close();
      await slack.stop();
      await sub.close();
      await engine.close();
      redis.disconnect();
      await standin.stop();
    },
  };
}

/** Polls until `check` holds; the test's own timeout bounds the wait. */
export async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}
