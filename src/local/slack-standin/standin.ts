import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FileUploads, type StoredFile } from './file-uploads.js';
import { MessageStore, type StoredEphemeral, type StoredMessage } from './message-store.js';
import { METHODS, type SlackBody, type Workspace } from './methods.js';
import { StandinOptions, type StandinSettings } from './options.js';
import { RateLimiter, type StormSpec } from './rate-limiter.js';
import { parseRequest } from './request-body.js';

/** One request as the stand-in saw it: what tests assert on. Tokens are never recorded. */
export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  /** Milliseconds since the epoch when the request arrived. */
  at: number;
  /** 200, or 429 when rate limited, or 500/503 in a server-error storm. */
  status: number;
  response: SlackBody;
}

/**
 * A Slack Web API of our own on 127.0.0.1, speaking the methods Marshal uses with Slack's shapes,
 * errors and rate limits (429 + `Retry-After`). Give `url` to WebClient or Bolt as `slackApiUrl`.
 * Keeps every message as a user sees it, so tests can read a thread after the fact.
 */
export class SlackStandin {
  readonly calls: RecordedCall[] = [];
  private readonly store = new MessageStore();
  private readonly uploads = new FileUploads();
  private readonly limiter: RateLimiter;
  private readonly workspace: Workspace;

  private constructor(
    private readonly server: Server,
    readonly settings: StandinSettings,
  ) {
    this.limiter = new RateLimiter(settings.rateLimits);
    this.workspace = {
      settings,
      store: this.store,
      uploads: this.uploads,
      uploadBase: () => `${this.url.replace(/api\/$/, '')}upload/`,
    };
  }

  static async start(options: StandinOptions): Promise<SlackStandin> {
    const settings = StandinOptions.parse(options);
    const server = createServer();
    const standin = new SlackStandin(server, settings);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      standin.handle(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, '127.0.0.1', () => resolve());
    });
    return standin;
  }

  /** The base URL of the Web API, ending with `/api/`, as WebClient's `slackApiUrl` expects. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/api/`;
  }

  /** Top-level messages of a channel, latest content, oldest first. */
  messages(channel: string): StoredMessage[] {
    return this.store.topLevel(channel);
  }

  /** The parent message followed by its replies, as a user reading the thread sees them. */
  thread(channel: string, ts: string): StoredMessage[] {
    return this.store.thread(channel, ts);
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    return this.store.get(channel, ts);
  }

  /** A user's App Home as last published, and how many times it was. */
  home(user: string): { view: Record<string, unknown>; publishes: number } | undefined {
    return this.store.homes.get(user);
  }

  /** A file a client uploaded (its bytes once the upload POST arrived). */
  file(id: string): StoredFile | undefined {
    return this.uploads.get(id);
  }

  ephemerals(channel: string, user?: string): StoredEphemeral[] {
    return this.store.ephemeralsFor(channel, user);
  }

  /** Calls that Slack accepted (not rate limited), optionally of one method. */
  accepted(method?: string): RecordedCall[] {
    return this.calls.filter((c) => c.status === 200 && (method === undefined || c.method === method));
  }

  /** Refuses the next `calls` calls, or every call for `durationMs`, with 429. */
  rateLimitStorm(spec: StormSpec): void {
    this.limiter.startStorm(spec);
  }

  /** Answers the next `calls` calls, or every call for `durationMs`, with HTTP 500 (or 503). */
  serverErrorStorm(spec: Omit<StormSpec, 'status' | 'retryAfterSec'> & { status?: 500 | 503 }): void {
    this.limiter.startStorm({ ...spec, status: spec.status ?? 500 });
  }

  endStorm(): void {
    this.limiter.stopStorm();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const path = new URL(req.url ?? '/', 'http://standin').pathname;
    if (path.startsWith('/upload/')) return this.receiveUpload(req, res, path.slice('/upload/'.length));
    const method = path.replace(/^\/api\//, '');
    const parsed = await parseRequest(req);
    if (!parsed.ok)
      return this.reply(res, {
        method,
        args: {},
        at,
        status: 200,
        response: { ok: false, error: parsed.error },
      });
    const { token, ...args } = parsed.args;
    const record = (status: number, response: SlackBody, headers: Record<string, string> = {}) =>
      this.reply(res, { method, args, at, status, response }, headers);

    const given = parsed.bearer ?? (typeof token === 'string' ? token : undefined);
    if (!given) return record(200, { ok: false, error: 'not_authed' });
    if (given !== this.settings.token) return record(200, { ok: false, error: 'invalid_auth' });

    const handler = METHODS[method];
    if (!handler) return record(200, { ok: false, error: 'unknown_method', req_method: method });

    const decision = this.limiter.check(method, args);
    if (decision.limited) {
      if (decision.status === 500 || decision.status === 503)
        return record(decision.status, { ok: false, error: 'internal_error' });
      return record(
        429,
        { ok: false, error: 'ratelimited' },
        { 'retry-after': String(decision.retryAfterSec) },
      );
    }
    return record(200, handler(this.workspace, args));
  }

  /**
   * The second step of an upload: the client POSTs the bytes to the URL files.getUploadURLExternal
   * gave, as WebClient does, multipart with the file in one part (or raw bytes). Slack answers 200 "OK".
   */
  private async receiveUpload(req: IncomingMessage, res: ServerResponse, fileId: string): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let bytes = Buffer.concat(chunks);
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      const form = await new Request('http://standin/upload', {
        method: 'POST',
        headers: { 'content-type': type },
        body: bytes,
      }).formData();
      const part = [...form.values()].find((value) => typeof value !== 'string');
      bytes = part && typeof part !== 'string' ? Buffer.from(await part.arrayBuffer()) : Buffer.alloc(0);
    }
    const verdict = this.uploads.receive(fileId, bytes);
    res.writeHead(verdict === 'ok' ? 200 : verdict === 'unknown' ? 404 : 400, {
      'content-type': 'text/plain',
    });
    res.end(verdict === 'ok' ? 'OK' : verdict);
  }

  private reply(res: ServerResponse, call: RecordedCall, headers: Record<string, string> = {}): void {
    this.calls.push(call);
    res.writeHead(call.status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(call.response));
  }
}
