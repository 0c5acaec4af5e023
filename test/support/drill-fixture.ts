import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadWorkflowCatalog } from '../../src/app/workflow-catalog.js';
import { parseMarshalConfig } from '../../src/config/marshal-config.js';
import { createEngine, type EngineRuntime, type RunEvent, type RunSnapshot } from '../../src/engine/index.js';
import { DrillEnvironment, TSIG_SECRET_ENV } from '../../src/local/drill/drill-environment.js';
import { SlackStandin } from '../../src/local/slack-standin/index.js';
import {
  blockActionBody,
  commandBody,
  sendSigned,
  type ButtonPress,
  type SlackResponse,
} from '../../src/local/slack-standin/signed-requests.js';
import { silentLogger } from '../../src/log/index.js';
import { createSlackApp, type SlackApp } from '../../src/slack/app/index.js';
import { renderApprovalCard, renderRunParent } from '../../src/slack/blocks/index.js';
import { RedisThreadStore } from '../../src/slack/progress/redis-thread-store.js';
import { createDrillTraffic } from '../../src/drdrill/create-drill-traffic.js';
import { ScenarioDirectory } from '../../src/drdrill/scenario/scenario-directory.js';
import { drillRegistry } from './drill-registry.js';
import { uniquePrefix } from './redis.js';

export const SIGNING_SECRET = 'd1r2i3l4l5s6e7c8r9e0t1a2b3c4d5e6';
export const BOT_TOKEN = 'xoxb-1-2-drillbot';
export const CHANNEL = 'C0MARSHAL';
export const REQUESTER = 'U0DRILLREQ';
export const APPROVER = 'U0DRILLAPP';

/** A PagerDuty-like incident as the local feed serves it. */
export interface FeedIncident {
  id: string;
  title: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  html_url: string;
}

/**
 * A DR drill end to end on real parts: two regions of HTTP backends, HAProxy (runtime API), knotd
 * (RFC 2136 + TSIG), a Redis replica in the secondary region, a local incident feed, the drill's modules
 * on the real engine over the test Redis, and Marshal's Slack app taking signed requests (Web API on the
 * Slack stand-in). Notes and alerts the drill raises are kept for the test to read.
 */
export interface DrillFixture {
  env: DrillEnvironment;
  engine: EngineRuntime;
  redis: Redis;
  prefix: string;
  /** The drill's settings (`workflowSettings.dr-drill`). */
  settings: Record<string, unknown>;
  incidents: FeedIncident[];
  notes: { runId: string; title: string; text: string }[];
  alerts: { runId: string; title: string; text: string }[];
  images: { runId: string; title: string; png: Buffer; altText: string }[];
  auditFile: string;
  events: RunEvent[];
  event(match: (e: RunEvent) => boolean): Promise<RunEvent>;
  finished(runId: string): Promise<RunSnapshot>;
  command(user: string, text: string): Promise<SlackResponse>;
  press(p: ButtonPress): Promise<SlackResponse>;
  /**
   * Waits for the run's next waiting gate `gateId`, posts its card in the run's thread and records it
   * where the Slack app checks clicks against (as the progress thread does); returns its ts and plan hash.
   */
  card(runId: string, gateId: string): Promise<{ ts: string; plan: string | undefined }>;
  ephemeral(user: string, piece: string): Promise<string>;
  close(): Promise<void>;
}

export async function startDrillFixture(
  redisUrl: string,
  options: { workers?: boolean } = {},
): Promise<DrillFixture> {
  const env = await DrillEnvironment.start();
  const scratch = await mkdtemp(join(tmpdir(), 'marshal-drill-audit-'));
  const auditFile = join(scratch, 'audit.jsonl');
  // The scenario the tests drill: quick soaks and monitoring, a second audit sink on local disk.
  await env.writeVariant('checkout', (doc) => {
    doc.shift = { canary: '5%', batches: ['25%', '50%', '100%'], soak: 300, dnsSwitchAt: '100%' };
    doc.monitoring = { period: 1500, interval: 500 };
    doc.failback = { policy: 'fail-back', decideWithin: '2m' };
    doc.audit = { file: auditFile };
  });
  process.env[TSIG_SECRET_ENV] = env.dns.key.secret;
  // The replica's first sync takes a moment; a drill started before it is (rightly) refused.
  const controls = createDrillTraffic(
    await new ScenarioDirectory(env.scenariosDir).load('checkout'),
    env.env,
  );
  await until(async () => (await controls.checkReplication('sessions')).healthy);
  const incidents: FeedIncident[] = [];
  const feed = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ incidents }));
  });
  await new Promise<void>((r) => feed.listen(0, '127.0.0.1', () => r()));
  const settings = {
    scenarios: env.scenariosDir,
    incidents: { url: `http://127.0.0.1:${(feed.address() as AddressInfo).port}/incidents` },
    load: { concurrency: 2, pauseMs: 20 },
  };

  const prefix = uniquePrefix('drill');
  const redis = new Redis(redisUrl);
  const notes: DrillFixture['notes'] = [];
  const alerts: DrillFixture['alerts'] = [];
  const images: DrillFixture['images'] = [];
  let engineRef: EngineRuntime | undefined;
  const { registry } = drillRegistry({
    redis,
    prefix,
    settings,
    notifier: {
      alert: (a) => Promise.resolve(void alerts.push(a)),
      note: (n) => Promise.resolve(void notes.push(n)),
      image: (i) => Promise.resolve(void images.push(i)),
    },
    engine: () => engineRef!,
  });
  const engine = await createEngine({ redis: redisUrl, prefix, registry, logger: silentLogger() });
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

  const standin = await SlackStandin.start({
    token: BOT_TOKEN,
    users: [
      { id: REQUESTER, name: 'requester' },
      { id: APPROVER, name: 'approver' },
    ],
    rateLimits: { enabled: false },
  });
  const catalog = await loadWorkflowCatalog({ workflows: [], configDir: '/tmp' });
  const config = parseMarshalConfig(
    {
      inventory: 'inventory.yaml',
      access: {
        workflows: {
          'dr-drill': { start: [REQUESTER], approve: [APPROVER, REQUESTER] },
          'dr-drill-status': { start: [REQUESTER] },
          'dr-drill-history': { start: [REQUESTER] },
        },
      },
    },
    'drill test config',
    '/tmp',
  );
  const threads = new RedisThreadStore(redis, prefix);
  const slack: SlackApp = createSlackApp({
    settings: {
      slack: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, appToken: undefined, apiUrl: standin.url },
      redisUrl,
      port: 3000,
      configPath: '/dev/null',
      prefix,
    },
    engine,
    workflows: catalog,
    config,
    logger: silentLogger(),
    redis,
    keyPrefix: prefix,
    host: '127.0.0.1',
    port: 0,
  });
  const port = await slack.start();
  const url = `http://127.0.0.1:${port}/slack/events`;

  return {
    env,
    engine,
    redis,
    prefix,
    settings,
    incidents,
    notes,
    alerts,
    images,
    auditFile,
    events,
    event,
    async finished(runId) {
      await event((e) => e.type === 'run.finished' && e.runId === runId);
      return engine.get(runId);
    },
    command: (user, text) =>
      sendSigned(url, commandBody({ user, command: '/drdrill', text, channel: CHANNEL }), {
        secret: SIGNING_SECRET,
      }),
    press: (p) => sendSigned(url, blockActionBody({ channel: CHANNEL, ...p }), { secret: SIGNING_SECRET }),
    async card(runId, gateId) {
      const waiting = await event(
        (e) =>
          e.runId === runId &&
          ((e.type === 'gate.waiting' && e.gateId === gateId) || e.type === 'run.finished'),
      );
      if (waiting.type !== 'gate.waiting') {
        const run = await engine.get(runId);
        const tasks = run.tasks.map((t) => `${t.taskId} ${t.state}${t.error ? `: ${t.error}` : ''}`);
        throw new Error(
          `run ${runId} finished (${run.state}) before gate ${gateId} waited:\n${tasks.join('\n')}`,
        );
      }
      const run = await engine.get(runId);
      const known = await threads.get(runId);
      const parent = known ? { channel: known.channel, ts: known.ts } : { channel: CHANNEL, ts: '' };
      if (!known) {
        const posted = await slack.app.client.chat.postMessage({
          channel: CHANNEL,
          ...renderRunParent(run, { now: new Date() }),
        });
        parent.ts = posted.ts!;
        await threads.setParent(runId, parent);
      }
      const posted = await slack.app.client.chat.postMessage({
        channel: CHANNEL,
        thread_ts: parent.ts,
        ...renderApprovalCard(run, waiting),
      });
      await threads.setGateCard(runId, waiting.gateId, posted.ts!);
      return { ts: posted.ts!, plan: waiting.planHash };
    },
    async ephemeral(user, piece) {
      for (;;) {
        const found = standin
          .accepted('chat.postEphemeral')
          .filter((c) => c.args.user === user)
          .map((c) => `${String(c.args.text)} ${JSON.stringify(c.args.blocks ?? '')}`)
          .find((t) => t.includes(piece));
        if (found !== undefined) return found;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await slack.stop();
      await sub.close();
      await engine.close();
      redis.disconnect();
      await standin.stop();
      await new Promise<void>((r) => feed.close(() => r()));
      await env.stop();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` holds; the test's own timeout bounds the wait. */
export async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 25));
}
