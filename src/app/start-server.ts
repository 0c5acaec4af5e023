import { loadMarshalConfig, type MarshalConfig } from '../config/marshal-config.js';
import type { Settings } from '../config/settings.js';
import type { WorkerOptions } from '../engine/index.js';
import type { Logger } from '../log/index.js';
import { SlackAlertNotifier } from '../slack/alerts/slack-alert-notifier.js';
import { createSlackApp } from '../slack/app/index.js';
import {
  ProgressNotifier,
  RedisThreadStore,
  threadLinks,
  webClientChat,
  type SlackChat,
} from '../slack/progress/index.js';
import type { EventSubscription, TargetsView } from '../engine/index.js';
import type { AuditLinks } from '../audit/audit-trail.js';
import { redactUrl } from '../log/index.js';
import { createMarshal, type Marshal } from './create-marshal.js';
import { opsControlFor } from './ops-control-for.js';
import { admitRun } from '../control/admit-run.js';
import { RunSchedules } from '../control/run-schedules.js';
import { scheduledFire } from './scheduled-fire.js';
import { InvalidConfigError } from '../config/invalid-config-error.js';
import type { WorkflowCatalog } from '../kit/catalog.js';
import { tokenize } from '../../commands/parse/tokenize.js';
import { parseWorkflowWords } from '../../commands/parse/workflow-command.js';
import { declareRadarSchedule, removeLegacyRadarScheduler } from './cert-radar-schedule.js';
import { healthRoutes, startHealthServer, stopHealthServer } from './health.js';
import { startConsole, type RunningConsole } from '../console/create-console.js';
import type { ConsoleConfig } from '../console/console-config.js';
import { MarshalMetrics, instrumentSlackClient, metricsRoute, routes as anyOf } from '../metrics/index.js';

export interface ServerOptions {
  settings: Settings;
  logger: Logger;
  /** Default: read from `settings.configPath`. */
  config?: MarshalConfig;
  /** HTTP mode: where to listen (default all interfaces on `settings.port`; 0 = any free port). */
  host?: string;
  port?: number;
  /** Workers in this process; `false` for a front end only (workers run elsewhere with `marshal worker`). */
  workers?: WorkerOptions | false;
  /** Progress-thread edits at most this often per message. */
  updateIntervalMs?: number;
  /** See createMarshal: `serve` waits for Redis (default `retry`); the demo and tests fail at once. */
  whenRedisIsDown?: 'fail' | 'retry';
  /** The web console's settings, instead of the config file's `console:` (false: no console). */
  console?: ConsoleConfig | false;
}

export interface Server {
  readonly marshal: Marshal;
  /** HTTP mode: the port Bolt listens on. */
  readonly port: number | undefined;
  /** Where the web console is, when it is served. */
  readonly consoleUrl: string | undefined;
  close(): Promise<void>;
}

/**
 * `marshal serve`: the Slack app, the progress threads and (by default) workers in one process.
 * Everything is started here and stopped in reverse order by `close`.
 */
export async function startServer(options: ServerOptions): Promise<Server> {
  const { settings, logger } = options;
  const config = options.config ?? (await loadMarshalConfig(settings.configPath));
  // Alerts and progress share one Web API client with the Bolt app, bound once the app exists.
  let chat: SlackChat | undefined;
  let marshal: Marshal | undefined;
  const lateChat: SlackChat = {
    post: (...args) => required(chat, 'Slack client').post(...args),
    update: (...args) => required(chat, 'Slack client').update(...args),
    upload: (...args) => required(chat, 'Slack client').upload(...args),
  };
  const getRun = (runId: string, targets?: TargetsView) =>
    required(marshal, 'engine').engine.get(runId, targets ? { targets } : undefined);
  let store: RedisThreadStore | undefined;
  let links: AuditLinks | undefined;
  const metrics = new MarshalMetrics();
  const routes = anyOf(
    healthRoutes(() =>
      marshal
        ? marshal.engine.health.readiness()
        : { ready: false, why: `waiting for Redis at REDIS_URL=${redactUrl(settings.redisUrl)}` },
    ),
    metricsRoute(metrics),
  );
  const host = options.host ?? '0.0.0.0';
  const listenPort = options.port ?? settings.port;
  // /healthz and /readyz answer while Redis is awaited (a fixed port only: 0 is for tests). In Socket
  // Mode this server stays; in HTTP mode the Slack app takes the port over and serves the same routes.
  let health = listenPort !== 0 ? await startHealthServer(listenPort, host, routes) : undefined;
  try {
    marshal = await createMarshal({
      config,
      redisUrl: settings.redisUrl,
      prefix: settings.prefix,
      logger,
      allowEphemeralRedis: settings.allowEphemeralRedis ?? false,
      whenRedisIsDown: options.whenRedisIsDown ?? 'retry',
      // Bound once the Slack client and the thread store exist (before any run can start).
      auditTrail: { links: (runId, o) => (links ? links(runId, o) : Promise.resolve(undefined)) },
      metrics,
      notifier: new SlackAlertNotifier({
        chat: lateChat,
        threads: { get: (runId) => required(store, 'thread store').get(runId) },
        getRun,
        logger,
      }),
    });
  } catch (err) {
    await stopHealthServer(health);
    throw err;
  }
  const m = marshal;
  store = new RedisThreadStore(m.redis, m.prefix);
  const schedules = new RunSchedules(settings.redisUrl, m.prefix);
  // A freeze set or lifted here shows on the cards of active runs at once (the notifier is made below).
  let refreshCards: (() => void) | undefined;
  const control = opsControlFor(m, config, schedules, () => refreshCards?.());
  const freeze = control.freeze;
  const slack = createSlackApp({
    control,
    settings,
    engine: m.engine,
    workflows: m.catalog,
    config,
    logger,
    redis: m.redis,
    keyPrefix: m.prefix,
    httpRoutes: routes,
    home: { redis: m.redis, freeze },
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  instrumentSlackClient(slack.app.client, metrics);
  chat = webClientChat(slack.app.client);
  links = threadLinks({ store, client: slack.app.client });
  const progress = new ProgressNotifier({
    chat,
    store,
    getRun,
    logger,
    auditRef: (runId) => m.audit.reference(runId),
    freeze: () => freeze.current(),
    ...(options.updateIntervalMs !== undefined ? { updateIntervalMs: options.updateIntervalMs } : {}),
  });
  refreshCards = () => progress.refreshCards();
  let subscription: EventSubscription | undefined;
  let pool: { close(): Promise<void> } | undefined;
  let fires: { close(): Promise<void> } | undefined;
  let web: RunningConsole | undefined;
  const consoleConfig = options.console === undefined ? config.console : options.console || undefined;
  const client = slack.app.client;
  try {
    await declareSchedules(config, m.catalog, schedules);
    // The expiry radar is one more schedule (freezes and `/ops schedules` cover it).
    await declareRadarSchedule(schedules, config.certificates?.radar);
    await removeLegacyRadarScheduler(settings.redisUrl, m.prefix);
    fires = schedules.startWorker(
      scheduledFire({
        engine: m.engine,
        freeze,
        audit: m.audit,
        redis: m.redis,
        prefix: m.prefix,
        admit: (run) =>
          admitRun(
            control,
            { user: run.requester, among: (p, u) => slack.access.among(p, u) },
            { workflow: run.workflow, params: run.params, dryRun: run.dryRun },
          ),
        say: async (channel, text) => {
          await slack.app.client.chat.postMessage({ channel, text });
        },
        logger,
      }),
    );
    subscription = await progress.subscribe(m.engine.events);
    await slack.home?.start();
    pool = options.workers === false ? undefined : m.engine.startWorkers(options.workers ?? {});
    if (!settings.slack.appToken) {
      await stopHealthServer(health);
      health = undefined;
    }
    const port = await slack.start();
    if (consoleConfig)
      web = await startConsole({
        config: consoleConfig,
        engine: m.engine,
        registry: m.registry,
        access: slack.access,
        fleet: { control, windows: config.freeze.windows },
        audit: m.audit,
        queues: [m.engine.queue, m.engine.controlQueue],
        logger: logger.child({ component: 'console' }),
        // Read from Slack itself (what people see), at most every 2 s per run: Slack's Tier 3 limit.
        thread: cachedFor(2000, async (runId: string) => {
          const ref = await store?.get(runId);
          if (!ref) return undefined;
          const r = await client.conversations.replies({ channel: ref.channel, ts: ref.ts, limit: 200 });
          return (r.messages ?? []).map((msg) => ({ text: msg.text ?? '', blocks: msg.blocks ?? [] }));
        }),
      });
    logger.info(
      { port, mode: settings.slack.appToken ? 'socket' : 'http', console: web?.url },
      'marshal is serving',
    );
    return {
      marshal: m,
      port,
      consoleUrl: web?.url,
      async close() {
        await web?.close();
        await stopHealthServer(health);
        await slack.home?.close();
        await slack.stop();
        await fires?.close();
        await schedules.close();
        await pool?.close();
        await progress.flush();
        await subscription?.close();
        await progress.close();
        await m.close();
      },
    };
  } catch (err) {
    await web?.close();
    await slack.home?.close();
    await stopHealthServer(health);
    await fires?.close();
    await schedules.close();
    await pool?.close();
    await subscription?.close();
    await m.close();
    throw err;
  }
}

/** The config's schedules, (re)declared at every start: their words are checked like a typed command. */
async function declareSchedules(
  config: MarshalConfig,
  catalog: WorkflowCatalog,
  schedules: RunSchedules,
): Promise<void> {
  for (const [i, s] of config.schedules.entries()) {
    const entry = catalog.get(s.workflow);
    if (!entry)
      throw new InvalidConfigError("Marshal's config file", [
        {
          where: `schedules.${i}.workflow`,
          problem: `no workflow "${s.workflow}" is loaded`,
          fix: 'Name a workflow `marshal workflows` lists',
        },
      ]);
    const words = tokenize(s.args);
    const parsed = parseWorkflowWords(entry.module, words, `schedules.${i}: ${s.workflow}`);
    await schedules.upsert({
      id: s.id,
      cron: s.cron,
      timeZone: s.timeZone,
      workflow: s.workflow,
      words,
      params: parsed.params,
      dryRun: parsed.dryRun,
      channel: s.channel,
      requester: s.requester,
      source: 'config',
    });
  }
}

function cachedFor<T>(ms: number, read: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const cache = new Map<string, { at: number; value: Promise<T> }>();
  return (key) => {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < ms) return hit.value;
    if (cache.size > 500) cache.clear();
    const value = read(key);
    cache.set(key, { at: Date.now(), value });
    value.catch(() => cache.delete(key));
    return value;
  };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not ready yet`);
  return value;
}
