import { App } from '@slack/bolt';
import { registerCommands } from '../../../commands/index.js';
import type { MarshalConfig } from '../../config/marshal-config.js';
import type { Settings } from '../../config/settings.js';
import type { Engine } from '../../engine/engine.js';
import type { Logger } from '../../log/index.js';
import { AccessControl } from '../auth/access-control.js';
import { ReplayGuard, type ReplayStore } from '../auth/replay-guard.js';
import { SlackUsergroupDirectory } from '../auth/usergroup-directory.js';
import { registerApprovalActions } from '../interactions/register-approval-actions.js';
import { boltLogger } from './bolt-logger.js';
import { GuardedHttpReceiver, type GuardedHttpReceiverOptions } from './guarded-http-receiver.js';
import { ListenerRoutes, trackRoutes } from './listener-routes.js';
import { effectiveAccess } from '../../kit/access.js';
import type { WorkflowCatalog } from '../../kit/catalog.js';
import type { SlackDeps } from './slack-deps.js';
import type { OpsControl } from '../../control/ops-control.js';
import { RedisThreadStore } from '../progress/redis-thread-store.js';
import { HomeTab, type HomeTabOptions } from '../home/home-tab.js';
import { registerHomeTab } from '../home/register-home-tab.js';

export interface SlackAppOptions {
  settings: Settings;
  engine: Engine;
  /** The loaded workflow modules (what /marshal routes, the commands they claimed, default access). */
  workflows: WorkflowCatalog;
  config: MarshalConfig;
  logger: Logger;
  /**
   * For replay protection (SET NX EX) and to read where cards were posted (the progress threads'
   * store); an ioredis client fits.
   */
  redis: ReplayStore & ConstructorParameters<typeof RedisThreadStore>[0];
  /** HTTP mode only: where to listen. Default all interfaces, so Slack can reach it. */
  host?: string;
  /** HTTP mode only: overrides `settings.port` (0: any free port, for tests and benchmarks). */
  port?: number;
  /** Prefix of the replay guard's Redis keys (tests isolate themselves with their own). */
  keyPrefix?: string;
  /** How long a user group's members are cached. */
  usergroupCacheMs?: number;
  now?: () => number;
  /** HTTP mode only: routes served on the same port before Slack's (health and readiness). */
  httpRoutes?: GuardedHttpReceiverOptions['httpRoutes'];
  /** Stop-all, freeze, per-target access and schedules (src/control). */
  control?: OpsControl;
  /** The App Home tab (pending approvals, active runs, locks, freeze); absent: no Home tab. */
  home?: Pick<HomeTabOptions, 'redis' | 'freeze' | 'minIntervalMs' | 'refreshMs'>;
}

export interface SlackApp {
  readonly app: App;
  /** Who may start and approve what: the web console checks the same lists. */
  readonly access: AccessControl;
  /** The Home tab, when asked for: `start()` it to follow the runs, `close()` it when stopping. */
  readonly home: HomeTab | undefined;
  /** Starts receiving. HTTP mode resolves with the port bound; Socket Mode with undefined. */
  start(): Promise<number | undefined>;
  stop(): Promise<void>;
}

/**
 * Wires Marshal's Slack front end: Bolt in HTTP mode (`/slack/events`, signatures always verified,
 * future-dated requests refused) or in Socket Mode when an app token is set; the Web API client at
 * `settings.slack.apiUrl`; slash commands and approval buttons. Creates no connection until `start`.
 */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { settings, logger } = options;
  const log = logger.child({ component: 'slack' });
  const blog = boltLogger(logger);
  const clientOptions = { slackApiUrl: settings.slack.apiUrl };
  const routes = new ListenerRoutes();
  const receiver = settings.slack.appToken
    ? undefined
    : new GuardedHttpReceiver({
        signingSecret: settings.slack.signingSecret,
        boltLogger: blog,
        logger,
        routes,
        ...(options.now ? { now: options.now } : {}),
        ...(options.httpRoutes ? { httpRoutes: options.httpRoutes } : {}),
      });
  const app = receiver
    ? new App({ token: settings.slack.botToken, receiver, clientOptions, logger: blog })
    : new App({
        token: settings.slack.botToken,
        appToken: settings.slack.appToken!,
        socketMode: true,
        signingSecret: settings.slack.signingSecret,
        clientOptions,
        logger: blog,
      });

  const deps: SlackDeps = {
    engine: options.engine,
    workflows: options.workflows,
    access: new AccessControl(
      effectiveAccess(options.config.access, options.workflows),
      new SlackUsergroupDirectory(app.client, options.usergroupCacheMs),
    ),
    replay: new ReplayGuard(options.redis, `${options.keyPrefix ?? 'marshal'}:slack:seen`),
    cards: new RedisThreadStore(options.redis, options.keyPrefix ?? 'marshal'),
    logger: log,
    ...(options.control ? { control: options.control } : {}),
  };
  // The receiver answers what no listener takes at once, so it learns every listener registered.
  trackRoutes(app, routes);
  registerCommands(app, deps);
  registerApprovalActions(app, deps);
  const home = options.home
    ? new HomeTab({
        ...options.home,
        views: { publish: (args) => app.client.views.publish(args) },
        engine: options.engine,
        access: deps.access,
        prefix: options.keyPrefix ?? 'marshal',
        logger: log.child({ component: 'home' }),
      })
    : undefined;
  if (home) registerHomeTab(app, deps, home);
  app.error((err) => {
    log.error(
      { code: (err as { code?: string }).code, err: err.message },
      'unhandled error in a Slack listener',
    );
    return Promise.resolve();
  });

  return {
    app,
    access: deps.access,
    home,
    async start() {
      if (!receiver) {
        await app.start();
        log.info('Slack app connected in Socket Mode');
        return undefined;
      }
      const port = await receiver.start(options.port ?? settings.port, options.host ?? '0.0.0.0');
      log.info({ port }, 'Slack app listening for requests at /slack/events');
      return port;
    },
    async stop() {
      await app.stop();
    },
  };
}
