import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import type { Server } from '../../src/app/start-server.js';
import type { RunEvent, RunSnapshot } from '../../src/engine/index.js';
import type { EventSubscription } from '../../src/engine/model/events.js';
import type { Host } from '../../src/hosts/host.js';
import { createLogger, type Logger } from '../../src/log/index.js';
import { DEMO_CHANNEL, DemoEnvironment, installRateLimiter } from '../../src/local/demo/demo-environment.js';
import { HOOK_BIN_DIR } from '../../src/local/fleet/sshd-config.js';
import type { StoredMessage } from '../../src/local/slack-standin/index.js';
import {
  blockActionBody,
  commandBody,
  sendSigned,
  type SlackResponse,
} from '../../src/local/slack-standin/signed-requests.js';
import { MARSHAL_APPROVE } from '../../src/slack/blocks/index.js';
import { RedisThreadStore } from '../../src/slack/progress/index.js';
import { testRedisUrl } from './redis.js';

export { DEMO_APPROVER, DEMO_CHANNEL, DEMO_REQUESTER } from '../../src/local/demo/demo-environment.js';

/** Where the rate-limiter bundle installs its file, and where the simulated gateway serves it from. */
export const TARGET = '/etc/marshal-apps/rate-limiter/rate-limiter.yaml';
export const LOADED = '/etc/marshal-apps/rate-limiter/loaded.yaml';
/** Where hosts log the commands a test traces (a host-private directory outside the app's). */
export const TRACE_LOG = '/var/lib/marshal-host/trace.log';

export interface CommandReply {
  ack: SlackResponse;
  /** What the user was told: the ack's own message, or the ephemeral that followed it. */
  text: string;
  /** Set when the command started a run. */
  runId: string | undefined;
}

export interface ApprovalCard {
  ts: string;
  value: string;
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * One config-push world per test file: a real sshd fleet, the Slack stand-in, Marshal's real server (Bolt
 * app, progress threads, engine, and workers unless `workers: false`) on the shared test Redis under a
 * prefix of its own. Tests talk to it only as Slack and the hosts would: signed requests, files on hosts.
 */
export class ConfigPushFixture {
  /** Every engine event seen since the fixture started, in order. */
  readonly events: RunEvent[] = [];
  private subscription: EventSubscription | undefined;

  private constructor(
    readonly env: DemoEnvironment,
    readonly server: Server,
    readonly bundlesDir: string,
  ) {}

  static async start(options: {
    hosts: number;
    bundlesDir?: string;
    workers?: false;
    /** The web console, served next to the Slack endpoint. */
    console?: Parameters<DemoEnvironment['startServer']>[0]['console'];
    /** What else the environment has (a web tier behind HAProxy, workflow directories, their access). */
    environment?: Pick<Parameters<typeof DemoEnvironment.start>[0], 'webTier' | 'workflows' | 'access'>;
    /** Runs before Marshal's server starts: plant files on hosts, add to the config or the inventory. */
    prepare?: (env: DemoEnvironment) => Promise<void>;
    /** Where the server logs (default: silent unless LOG_LEVEL). */
    logger?: Logger;
  }): Promise<ConfigPushFixture> {
    const bundlesDir = options.bundlesDir ?? resolve('bundles');
    const env = await DemoEnvironment.start({
      hosts: options.hosts,
      bundlesDir,
      redisUrl: testRedisUrl(),
      ...options.environment,
    });
    let server: Server | undefined;
    try {
      await options.prepare?.(env);
      server = await env.startServer({
        logger: options.logger ?? createLogger({ level: process.env.LOG_LEVEL ?? 'silent' }),
        // Short coalescing keeps the tests quick; the stand-in still enforces Slack's rate limits.
        updateIntervalMs: 500,
        workers: options.workers === false ? false : { concurrency: 16 },
        ...(options.console ? { console: options.console } : {}),
      });
      const fixture = new ConfigPushFixture(env, server, bundlesDir);
      fixture.subscription = await server.marshal.engine.events.subscribe((e) => void fixture.events.push(e));
      return fixture;
    } catch (err) {
      await server?.close();
      await env.stop();
      throw err;
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.server.port}/slack/events`;
  }

  get hosts(): Host[] {
    return this.env.fleet.hosts;
  }

  /** Hosts the inventory gives role=web (DemoEnvironment: every host but each fourth). */
  get webHosts(): string[] {
    return this.hosts.filter((_, i) => i % 4 !== 3).map((h) => h.name);
  }

  /** A signed `/config <text>` (or another command) from `user`, answered in the ack or an ephemeral. */
  async sendCommand(user: string, text: string, command = '/config'): Promise<CommandReply> {
    const seen = this.env.standin.ephemerals(DEMO_CHANNEL, user).length;
    const ack = await sendSigned(this.url, commandBody({ command, text, user, channel: DEMO_CHANNEL }), {
      secret: this.env.signingSecret,
    });
    if (ack.status !== 200) throw new Error(`the Slack app answered ${ack.status}: ${ack.text}`);
    if (ack.json && Object.keys(ack.json).length > 0)
      return { ack, text: messageText(ack.json), runId: undefined };
    const reply = await waitUntil(`an ephemeral answer to "${command} ${text}"`, () => {
      const all = this.env.standin.ephemerals(DEMO_CHANNEL, user);
      return all.length > seen ? all[seen] : undefined;
    });
    const replyText = messageText(reply);
    return { ack, text: replyText, runId: /as run `([^`]+)`/.exec(replyText)?.[1] };
  }

  /** The run's progress thread: the parent first, then the replies, as a Slack user sees them now. */
  async thread(runId: string): Promise<StoredMessage[]> {
    const ref = await new RedisThreadStore(this.server.marshal.redis, this.server.marshal.prefix).get(runId);
    return ref ? this.env.standin.thread(ref.channel, ref.ts) : [];
  }

  /**
   * The thread once the notifier has posted the run's final summary: replies are queued and paced
   * within Slack's rate limits, so they may land a little after the run finished.
   */
  async finalThread(runId: string): Promise<StoredMessage[]> {
    return waitUntil(`the final summary in the thread of run ${runId}`, async () => {
      const thread = await this.thread(runId);
      const done = thread
        .slice(1)
        .some((m) => /config-push (\[dry run\] )?(succeeded|failed|aborted)/i.test(messageText(m)));
      return done ? thread : undefined;
    });
  }

  async waitForApprovalCard(runId: string): Promise<ApprovalCard> {
    return waitUntil(`the approval card of run ${runId}`, async () => {
      for (const m of await this.thread(runId)) {
        const value = buttonValue(m, MARSHAL_APPROVE);
        if (value) return { ts: m.ts, value };
      }
      return undefined;
    });
  }

  /** A signed click on one of the card's buttons (approve, hold, abort: the card's value is shared). */
  async press(actionId: string, card: ApprovalCard, user: string): Promise<SlackResponse> {
    const res = await sendSigned(
      this.url,
      blockActionBody({ actionId, value: card.value, user, channel: DEMO_CHANNEL, messageTs: card.ts }),
      { secret: this.env.signingSecret },
    );
    if (res.status !== 200)
      throw new Error(`the Slack app answered the click with ${res.status}: ${res.text}`);
    return res;
  }

  waitForEvent<T extends RunEvent>(
    what: string,
    match: (e: RunEvent) => e is T,
    timeoutMs?: number,
  ): Promise<T>;
  waitForEvent(what: string, match: (e: RunEvent) => boolean, timeoutMs?: number): Promise<RunEvent>;
  waitForEvent(what: string, match: (e: RunEvent) => boolean, timeoutMs = 90_000): Promise<RunEvent> {
    return waitUntil(what, () => this.events.find(match), timeoutMs);
  }

  /** Polls every host until `match` holds for one; returns that host's name. */
  waitUntilHost(what: string, match: (host: string) => boolean, timeoutMs = 90_000): Promise<string> {
    return waitUntil(what, () => this.hosts.map((h) => h.name).find(match), timeoutMs);
  }

  /** The run once the engine has finished it, and its thread once the final state has been posted. */
  async waitForRun(runId: string, timeoutMs = 120_000): Promise<RunSnapshot> {
    await this.waitForEvent(
      `run ${runId} to finish`,
      (e) => e.runId === runId && e.type === 'run.finished',
      timeoutMs,
    );
    const run = await this.server.marshal.engine.get(runId);
    await waitUntil(`the final state of run ${runId} in its Slack thread`, async () => {
      const [parent] = await this.thread(runId);
      return parent && parent.text.includes(` ${run.state}:`) ? parent : undefined;
    });
    return run;
  }

  /** The file a host holds now (read from its private mount on this machine), or undefined. */
  hostFile(host: string, path = TARGET): string | undefined {
    const local = this.env.fleet.localPath(host, path);
    return existsSync(local) ? readFileSync(local, 'utf8') : undefined;
  }

  hostSha(host: string, path = TARGET): string | undefined {
    const text = this.hostFile(host, path);
    return text === undefined ? undefined : sha256(text);
  }

  /** Every host's file checksum, by host name. */
  fleetShas(path = TARGET): Record<string, string | undefined> {
    return Object.fromEntries(this.hosts.map((h) => [h.name, this.hostSha(h.name, path)]));
  }

  bundleSha(bundle = 'rate-limiter'): string {
    return sha256(readFileSync(join(this.bundlesDir, bundle, 'rate-limiter.yaml')));
  }

  /**
   * Every host logs each call of these commands (in `TRACE_LOG` on the host) before running the real
   * one: the hosts themselves say whether Marshal reached them.
   */
  traceCommands(commands: readonly string[]): void {
    for (const host of this.hosts)
      for (const command of commands)
        this.env.fleet.install(
          host,
          command,
          `#!/bin/sh\necho "${command} $*" >> ${TRACE_LOG}\nPATH=\${PATH#${HOOK_BIN_DIR}:} exec ${command} "$@"\n`,
        );
  }

  tracedCalls(host: string): string[] {
    const text = this.hostFile(host, TRACE_LOG);
    return text ? text.trim().split('\n') : [];
  }

  /** Puts last quarter's file back on every host and removes every command wrapper a test installed. */
  resetHosts(): void {
    installRateLimiter(this.env.fleet, resolve('bundles'));
    for (const host of this.hosts) {
      const bin = this.env.fleet.localPath(host, HOOK_BIN_DIR);
      if (!existsSync(bin)) continue;
      for (const name of readdirSync(bin)) rmSync(join(bin, name), { force: true });
      rmSync(this.env.fleet.localPath(host, TRACE_LOG), { force: true });
    }
  }

  async close(): Promise<void> {
    await this.subscription?.close();
    const { redis, prefix } = this.server.marshal;
    await this.server.close().finally(async () => {
      await deleteKeys(redis.duplicate(), prefix);
      await this.env.stop();
    });
  }
}

/** Polls `probe` until it returns something, failing with what was awaited. */
export async function waitUntil<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The text a user reads in a message: its fallback text and every text in its blocks. */
export function messageText(message: { text?: unknown; blocks?: unknown }): string {
  const parts: string[] = typeof message.text === 'string' ? [message.text] : [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'text' && typeof value === 'string') parts.push(value);
        else walk(value);
      }
    }
  };
  walk(message.blocks);
  return parts.join('\n');
}

function buttonValue(message: StoredMessage, actionId: string): string | undefined {
  for (const block of message.blocks as {
    type?: string;
    elements?: { action_id?: string; value?: string }[];
  }[]) {
    if (block.type !== 'actions') continue;
    const button = block.elements?.find((e) => e.action_id === actionId);
    if (button?.value) return button.value;
  }
  return undefined;
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}
