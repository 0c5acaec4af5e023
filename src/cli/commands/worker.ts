import { webApi } from '@slack/bolt';
import { createMarshal } from '../../app/create-marshal.js';
import { loadMarshalConfig } from '../../config/marshal-config.js';
import { loadCoreSettings } from '../../config/settings.js';
import { createLogger, type Logger } from '../../log/index.js';
import type { Notifier } from '../../notify/notifier.js';
import { SlackAlertNotifier } from '../../slack/alerts/slack-alert-notifier.js';
import { RedisThreadStore, threadLinks, webClientChat } from '../../slack/progress/index.js';
import type { AuditLinks } from '../../audit/audit-trail.js';
import type { Marshal } from '../../app/create-marshal.js';
import { onShutdown } from '../shutdown.js';
import { healthRoutes, startHealthServer, stopHealthServer } from '../../app/health.js';
import { metricsRoute, routes } from '../../metrics/index.js';
import { TerminalNotifier } from '../terminal-notifier.js';

/** `marshal worker`: workers only, for scaling out on more machines; no Slack front end. */
export async function workerCommand(options: {
  concurrency: number;
  /** BullMQ's lock duration and stalled-job check: how soon a crashed worker's jobs are taken over. */
  lockDuration: number;
  stalledInterval: number;
  /** Serve /metrics, /healthz and /readyz on this port (all interfaces), for Prometheus to scrape. */
  metricsPort?: number;
}): Promise<void> {
  const logger = createLogger();
  const settings = loadCoreSettings();
  let marshal: Marshal | undefined;
  const marshalRef = (): Marshal => {
    if (!marshal) throw new Error('Marshal is not started yet');
    return marshal;
  };
  const config = await loadMarshalConfig(settings.configPath);
  marshal = await createMarshal({
    config,
    redisUrl: settings.redisUrl,
    prefix: settings.prefix,
    logger,
    notifier: alertNotifier(logger, marshalRef),
    allowEphemeralRedis: settings.allowEphemeralRedis ?? false,
    // A worker outlives Redis restarts and deploys: it waits for Redis rather than give up (a signal
    // while waiting ends the process: no handler is installed yet).
    whenRedisIsDown: 'retry',
    // Records of runs started in Slack link to their messages: a worker records run events only when it
    // can ask Slack for those links (a bot token); otherwise `serve` records them.
    auditTrail: auditTrail(marshalRef),
  });
  const pool = marshal.engine.startWorkers({
    concurrency: options.concurrency,
    lockDurationMs: options.lockDuration,
    stalledIntervalMs: options.stalledInterval,
  });
  logger.info(
    {
      concurrency: options.concurrency,
      lockDurationMs: options.lockDuration,
      stalledIntervalMs: options.stalledInterval,
    },
    'marshal worker is running',
  );
  const m = marshal;
  const http =
    options.metricsPort === undefined
      ? undefined
      : await startHealthServer(
          options.metricsPort,
          '0.0.0.0',
          routes(
            healthRoutes(() => m.engine.health.readiness()),
            metricsRoute(m.metrics),
          ),
        );
  onShutdown(
    async () => {
      await stopHealthServer(http);
      await pool.close();
      await m.close();
    },
    (msg) => logger.info(msg),
  );
}

function auditTrail(marshal: () => Marshal): false | { links: AuditLinks } {
  const token = process.env.SLACK_BOT_TOKEN;
  if (!token) return false;
  const client = new webApi.WebClient(token, {
    slackApiUrl: process.env.SLACK_API_URL || 'https://slack.com/api/',
  });
  return {
    links: (runId, o) =>
      threadLinks({ store: new RedisThreadStore(marshal().redis, marshal().prefix), client })(runId, o),
  };
}

/** Alerts raised on this worker go to the run's Slack thread when a bot token is set, else to the log. */
function alertNotifier(logger: Logger, marshal: () => Marshal): Notifier {
  const token = process.env.SLACK_BOT_TOKEN;
  if (!token) return new TerminalNotifier((line) => logger.warn({ alert: line }, 'workflow alert'));
  const client = new webApi.WebClient(token, {
    slackApiUrl: process.env.SLACK_API_URL || 'https://slack.com/api/',
  });
  return new SlackAlertNotifier({
    chat: webClientChat(client),
    threads: { get: (runId) => new RedisThreadStore(marshal().redis, marshal().prefix).get(runId) },
    // Only its channel is read: no host of it.
    getRun: (runId) => marshal().engine.get(runId, { targets: 'notable' }),
    logger,
  });
}
