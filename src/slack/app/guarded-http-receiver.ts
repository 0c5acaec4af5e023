import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTPReceiver, type App, type Logger as BoltLogger, type Receiver } from '@slack/bolt';
import type { Logger } from '../../log/index.js';
import { checkRequestTimestamp } from '../auth/request-timestamp.js';

export const EVENTS_PATH = '/slack/events';

export interface GuardedHttpReceiverOptions {
  signingSecret: string;
  boltLogger: BoltLogger;
  logger: Logger;
  now?: () => number;
  /** Served before Slack's endpoint on the same port (health and readiness). */
  routes?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/**
 * Bolt's HTTPReceiver (signature check, acks, `/slack/events`) behind one more gate: requests dated in
 * the future are refused with 401 before Bolt sees them, which Bolt 5.1 does not do (see
 * `auth/request-timestamp.ts`). Signature verification cannot be turned off: there is no option for it.
 */
export class GuardedHttpReceiver implements Receiver {
  private readonly inner: HTTPReceiver;
  private server: Server | undefined;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly routes: GuardedHttpReceiverOptions['routes'];

  constructor(options: GuardedHttpReceiverOptions) {
    this.inner = new HTTPReceiver({
      signingSecret: options.signingSecret,
      endpoints: [EVENTS_PATH],
      logger: options.boltLogger,
      signatureVerification: true,
    });
    this.now = options.now ?? Date.now;
    this.log = options.logger.child({ component: 'slack-receiver' });
    this.routes = options.routes;
  }

  init(app: App): void {
    this.inner.init(app);
  }

  /** Listens on `port` (0: any free port) at `host`; resolves with the port actually bound. */
  async start(port: number, host: string): Promise<number> {
    if (this.server) throw new Error('the Slack receiver is already started');
    const server = createServer((req, res) => this.handle(req, res));
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

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.routes?.(req, res)) return;
    const header = req.headers['x-slack-request-timestamp'];
    // Missing, malformed and stale timestamps are Bolt's to refuse (and ssl_check carries none).
    const verdict = header === undefined ? undefined : checkRequestTimestamp(header, this.now());
    if (verdict && !verdict.ok && verdict.why === 'future') {
      this.log.warn({ path: req.url }, 'refused a Slack request dated in the future');
      req.resume();
      res.writeHead(401).end();
      return;
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
}
