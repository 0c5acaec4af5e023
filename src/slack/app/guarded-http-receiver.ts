import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  HTTPModuleFunctions,
  HTTPReceiver,
  defaultBodyLimit,
  isRawBodyError,
  type App,
  type BufferedIncomingMessage,
  type Logger as BoltLogger,
  type Receiver,
} from '@slack/bolt';
import type { Logger } from '../../log/index.js';
import { checkRequestTimestamp } from '../auth/request-timestamp.js';
import { escapeMrkdwn } from '../blocks/index.js';
import { classifyInbound } from './inbound-body.js';
import { ListenerRoutes } from './listener-routes.js';

export const EVENTS_PATH = '/slack/events';

export interface GuardedHttpReceiverOptions {
  signingSecret: string;
  boltLogger: BoltLogger;
  logger: Logger;
  /** What the app listens for; requests nothing matches are answered here. Default: nothing known yet. */
  routes?: ListenerRoutes;
  /** Largest body accepted, in bytes (Bolt's default, 4 MiB); larger ones are answered 413. */
  bodyLimit?: number;
  now?: () => number;
  /** Served before Slack's endpoint on the same port (health and readiness). */
  httpRoutes?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/**
 * Bolt's HTTPReceiver (signature check, acks, `/slack/events`) behind more gates, in this order:
 * 1. requests dated in the future are refused with 401, which Bolt 5.1 does not do
 *    (see `auth/request-timestamp.ts`);
 * 2. the body is read (413 past the limit) and its signature and age checked, as Bolt does it (401);
 * 3. the body is parsed as Bolt parses it (400 when it is not JSON) and checked against the shapes Slack
 *    sends (`inbound-body.ts`): malformed ones are answered 400 at once, well-formed ones no listener
 *    takes are answered 200 at once with a log line; only what a listener takes reaches Bolt.
 * Bolt then reads the same buffered body and verifies it again. Signature verification cannot be turned
 * off: there is no option for it. No request can end the process: whatever throws is logged and answered.
 * (Bolt 5.1 reads `body.ssl_check` of whatever the body parsed to, so a signed JSON `null` is a TypeError
 * in a detached promise; upstream fixed only ssl_check smuggling, slackapi/bolt-js#2897 and #2899.)
 */
export class GuardedHttpReceiver implements Receiver {
  private readonly inner: HTTPReceiver;
  private server: Server | undefined;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly signingSecret: string;
  private readonly bodyLimit: number;
  private readonly routes: ListenerRoutes;
  private readonly httpRoutes: GuardedHttpReceiverOptions['httpRoutes'];

  constructor(options: GuardedHttpReceiverOptions) {
    this.bodyLimit = options.bodyLimit ?? defaultBodyLimit;
    this.inner = new HTTPReceiver({
      signingSecret: options.signingSecret,
      endpoints: [EVENTS_PATH],
      logger: options.boltLogger,
      signatureVerification: true,
      bodyLimit: this.bodyLimit,
    });
    this.signingSecret = options.signingSecret;
    this.routes = options.routes ?? new ListenerRoutes();
    this.now = options.now ?? Date.now;
    this.log = options.logger.child({ component: 'slack-receiver' });
    this.httpRoutes = options.httpRoutes;
  }

  init(app: App): void {
    this.inner.init(app);
  }

  /** Listens on `port` (0: any free port) at `host`; resolves with the port actually bound. */
  async start(port: number, host: string): Promise<number> {
    if (this.server) throw new Error('the Slack receiver is already started');
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => this.failed(req, res, err));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.httpRoutes?.(req, res)) return;
    const header = req.headers['x-slack-request-timestamp'];
    // Missing, malformed and stale timestamps are refused by the signature check below (and
    // ssl_check carries none).
    const verdict = header === undefined ? undefined : checkRequestTimestamp(header, this.now());
    if (verdict && !verdict.ok && verdict.why === 'future') {
      this.log.warn({ path: req.url }, 'refused a Slack request dated in the future');
      req.resume();
      res.writeHead(401).end();
      return;
    }
    if (isEventsRequest(req)) {
      const body = await this.readVerified(req, res);
      if (body === undefined) return;
      const inbound = classifyInbound(body.parsed, this.routes);
      if (inbound.kind === 'malformed') {
        this.log.warn({ problem: inbound.problem }, 'refused a malformed Slack request');
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(`${inbound.problem}\n`);
        return;
      }
      if (inbound.kind === 'unknown') {
        this.log.info({ what: inbound.what }, 'answered a Slack request no listener takes');
        if (inbound.command)
          res.writeHead(200, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              response_type: 'ephemeral',
              text: `Marshal has no ${escapeMrkdwn(inbound.command)} command.`,
            }),
          );
        else res.writeHead(200).end();
        return;
      }
    }
    try {
      this.inner.requestListener(req, res);
    } catch (err) {
      // Bolt throws for paths it does not serve.
      this.log.debug(
        { path: req.url, err: err instanceof Error ? err.message : String(err) },
        'not a Slack endpoint',
      );
      if (!res.headersSent) res.writeHead(404).end();
    }
  }

  /**
   * The body read, verified and parsed exactly as Bolt will (Bolt's own functions, and the buffer they
   * leave on the request, which Bolt reads again); undefined when the request has been answered.
   */
  private async readVerified(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<{ parsed: unknown } | undefined> {
    let buffered: BufferedIncomingMessage;
    try {
      buffered = await HTTPModuleFunctions.parseAndVerifyHTTPRequest(
        { signingSecret: this.signingSecret, bodyLimit: this.bodyLimit },
        req,
      );
    } catch (err) {
      if (isRawBodyError(err) && (err.type === 'entity.too.large' || err.statusCode === 413)) {
        this.log.warn({ limit: this.bodyLimit }, 'refused a Slack request larger than the body limit');
        res.writeHead(413, { connection: 'close' }).end();
        return undefined;
      }
      this.log.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'refused a Slack request that failed verification',
      );
      res.writeHead(401).end();
      return undefined;
    }
    try {
      return { parsed: HTTPModuleFunctions.parseHTTPRequestBody(buffered) as unknown };
    } catch (err) {
      const problem = `the body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`;
      this.log.warn({ problem }, 'refused a malformed Slack request');
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(`${problem}\n`);
      return undefined;
    }
  }

  private failed(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    this.log.error(
      { path: req.url, err: err instanceof Error ? err.message : String(err) },
      'a Slack request failed unexpectedly; the process keeps serving',
    );
    if (!res.headersSent) res.writeHead(500).end();
    else res.end();
  }
}

function isEventsRequest(req: IncomingMessage): boolean {
  try {
    return (
      req.method?.toUpperCase() === 'POST' &&
      new URL(req.url ?? '/', 'http://localhost').pathname === EVENTS_PATH
    );
  } catch {
    return false;
  }
}
