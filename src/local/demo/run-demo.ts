import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Engine, RunEvent, RunSnapshot } from '../../engine/index.js';
import { createLogger } from '../../log/index.js';
import { describeRun } from '../../cli/describe-run.js';
import { formatEventLine } from '../../cli/terminal-progress.js';
import { terminalLog } from '../../cli/terminal-log.js';
import { ConsoleConfig } from '../../console/console-config.js';
import { MARSHAL_APPROVE } from '../../slack/blocks/index.js';
import { renderThreadAsText, type StoredMessage } from '../slack-standin/index.js';
import { blockActionBody, commandBody, sendSigned } from '../slack-standin/signed-requests.js';
import { aborted, decideAtGate, type GateDecision } from './demo-approval.js';
import {
  DEMO_APPROVER,
  DEMO_CHANNEL,
  DEMO_REQUESTER,
  DemoEnvironment,
  PACKAGE_BUNDLES_DIR,
  demoRole,
} from './demo-environment.js';
import { fleetTable, keepInstructions, type FleetRow } from './demo-report.js';
import { settledThread } from './settled-thread.js';

export interface DemoOptions {
  hosts: number;
  /** Asks at the terminal; undefined when there is none (then the console decides, or `autoApprove`). */
  ask: ((question: string, signal: AbortSignal) => Promise<string>) | undefined;
  autoApprove: boolean;
  /** Leave everything running after the run, until `signal` aborts. */
  keep: boolean;
  /** Marshal's log as JSON lines on stderr (else one readable line per warning or error). */
  verbose: boolean;
  print: (text: string) => void;
  /** Ctrl-C / SIGTERM: stop waiting, stop everything, remove every file. */
  signal: AbortSignal;
}

export const DEMO_SELECTOR = 'role=web';
export const DEMO_COMMAND = `push rate-limiter to ${DEMO_SELECTOR} --canary 1 --batches 50%,100% --delay 3s`;
const MARSHAL_BIN = fileURLToPath(new URL('../../../bin/marshal.js', import.meta.url));

/**
 * The local run: Marshal's main job end to end on this machine. Alice types `/config push` in the
 * (stand-in) Slack; the canary host gets the bundle; Bob approves (console, terminal or --yes); the
 * batches follow. Everything Slack would receive is signed as Slack signs it, and every host is a
 * real sshd. Whatever happens (an error, Ctrl-C) everything started is stopped and its files removed.
 */
export async function runDemo(options: DemoOptions): Promise<RunSnapshot> {
  const { print } = options;
  if (process.getuid?.() !== 0) {
    throw new Error(
      'the local run starts real sshd hosts in their own mount namespaces, which needs root: run it as root (e.g. in a container or VM)',
    );
  }
  print(`Starting a local Redis, ${options.hosts} sshd hosts on loopback, a Slack stand-in and the console…`);
  const env = await DemoEnvironment.start({
    hosts: options.hosts,
    redisUrl: process.env.REDIS_URL,
    // With --keep, `marshal run` in another terminal acts as Alice (access.cli.users).
    cliUsers: { [userInfo().username]: DEMO_REQUESTER },
  });
  // Ctrl-C ends the waits below; the finally blocks then stop Marshal before what it stands on (Redis
  // first would leave its workers waiting to reconnect). Should the process be made to exit before
  // (a second Ctrl-C), its folder goes at least; the fleet's own exit hook stops the hosts.
  const removeOnExit = (): void => rmSync(env.dir, { recursive: true, force: true });
  process.once('exit', removeOnExit);
  try {
    const server = await env.startServer({
      logger: options.verbose
        ? createLogger({ level: process.env.LOG_LEVEL ?? 'info', destination: pino.destination(2) })
        : // Errors only, one readable line each: warnings here are retries Marshal handles itself
          // (the stand-in rate-limits thread edits as Slack does), noise for a first look.
          createLogger({
            level: 'error',
            destination: terminalLog((line) => process.stderr.write(`${line}\n`)),
          }),
      updateIntervalMs: 1000,
      // Loopback only; the person at this machine picks who they act as (Bob, to approve Alice's run).
      console: ConsoleConfig.parse({ host: '127.0.0.1', port: 0, actAs: [DEMO_APPROVER, DEMO_REQUESTER] }),
    });
    try {
      if (server.consoleUrl) print(`Console: ${server.consoleUrl}/`);
      const run = await pushThroughSlack(
        env,
        server.marshal.engine,
        `http://127.0.0.1:${server.port}/slack/events`,
        server.consoleUrl,
        options,
      );
      if (options.keep) {
        print(
          `\n${keepInstructions({
            redisUrl: env.redisUrl,
            configPath: env.configPath,
            prefix: env.prefix,
            consoleUrl: server.consoleUrl,
            marshal: `${process.execPath} ${MARSHAL_BIN}`,
            fromSources: process.env.MARSHAL_FROM_SOURCES === '1',
            pid: process.pid,
          })}`,
        );
        await aborted(options.signal).catch(() => undefined);
      }
      return run;
    } finally {
      await server.close();
    }
  } finally {
    await env.stop();
    process.removeListener('exit', removeOnExit);
  }
}

async function pushThroughSlack(
  env: DemoEnvironment,
  engine: Pick<Engine, 'events' | 'get'>,
  url: string,
  consoleUrl: string | undefined,
  options: DemoOptions,
): Promise<RunSnapshot> {
  const { print, signal } = options;
  let runId: string | undefined;
  const gate = deferred<{ runId: string; gateId: string }>();
  const decided = deferred<GateDecision>();
  const finished = deferred<string>();
  const sub = await engine.events.subscribe((e: RunEvent) => {
    if (e.type === 'run.started' && runId === undefined && e.requester === DEMO_REQUESTER) runId = e.runId;
    if (e.runId !== runId) return;
    const line = formatEventLine(e);
    if (line) print(line);
    if (e.type === 'gate.waiting') gate.resolve({ runId: e.runId, gateId: e.gateId });
    if (e.type === 'gate.decided') decided.resolve({ decision: e.decision, by: e.by });
    if (e.type === 'run.finished') finished.resolve(e.runId);
  });
  try {
    print(`\nalice> /config ${DEMO_COMMAND}`);
    const ack = await sendSigned(
      url,
      commandBody({ command: '/config', text: DEMO_COMMAND, user: DEMO_REQUESTER, channel: DEMO_CHANNEL }),
      { secret: env.signingSecret },
    );
    if (ack.status !== 200) throw new Error(`the Slack app answered ${ack.status}: ${ack.text}`);

    const first = await Promise.race([
      gate.promise.then((g) => ({ gate: g })),
      finished.promise.then((id) => ({ finished: id })),
      aborted(signal),
    ]);
    if ('gate' in first) {
      const card = await Promise.race([approvalCard(env, signal), decided.promise.then(() => undefined)]);
      if (card) print(`\nThe approval card in the thread:\n${renderThreadAsText([card.message])}`);
      await decideAtGate({
        autoApprove: options.autoApprove,
        ask: options.ask,
        decided: decided.promise,
        press: async (action) => {
          if (!card) return;
          await press(env, url, card, action === 'approve' ? MARSHAL_APPROVE : 'marshal_abort');
        },
        runUrl: consoleUrl ? `${consoleUrl}/runs/${encodeURIComponent(first.gate.runId)}` : undefined,
        approver: { id: DEMO_APPROVER, name: 'bob' },
        print,
        signal,
      });
    }
    const id = await Promise.race([finished.promise, aborted(signal)]);
    const run = await engine.get(id);
    // The thread as a Slack user sees it once the last edit landed: never a header still saying
    // "running" above the run's end.
    const thread = await Promise.race([settledThread(env.standin, DEMO_CHANNEL, run), aborted(signal)]);
    if (thread) print(`\n── The thread in #marshal-ops ──\n${renderThreadAsText(thread)}`);
    print(`\n${fleetTable(fleetRows(env), DEMO_SELECTOR)}`);
    print(`\n${describeRun(run)}`);
    return run;
  } finally {
    await sub.close();
  }
}

interface Card {
  message: StoredMessage;
  value: string;
}

/** The approval card the progress notifier posts after the gate opens (polled from the stand-in). */
async function approvalCard(env: DemoEnvironment, signal: AbortSignal): Promise<Card> {
  for (;;) {
    for (const m of env.standin
      .messages(DEMO_CHANNEL)
      .flatMap((p) => env.standin.thread(DEMO_CHANNEL, p.ts))) {
      const value = approveButtonValue(m);
      if (value) return { message: m, value };
    }
    await Promise.race([new Promise((r) => setTimeout(r, 200)), aborted(signal)]);
  }
}

function approveButtonValue(message: StoredMessage): string | undefined {
  for (const block of message.blocks as {
    type?: string;
    elements?: { action_id?: string; value?: string }[];
  }[]) {
    if (block.type !== 'actions') continue;
    const button = block.elements?.find((e) => e.action_id === MARSHAL_APPROVE);
    if (button?.value) return button.value;
  }
  return undefined;
}

/** Bob's click on the card, signed as Slack signs it, through Bolt's real request path. */
async function press(env: DemoEnvironment, url: string, card: Card, actionId: string): Promise<void> {
  const res = await sendSigned(
    url,
    blockActionBody({
      actionId,
      value: card.value,
      user: DEMO_APPROVER,
      channel: DEMO_CHANNEL,
      messageTs: card.message.ts,
    }),
    { secret: env.signingSecret },
  );
  if (res.status !== 200) throw new Error(`the Slack app answered the click with ${res.status}: ${res.text}`);
}

/** What each host holds now: the proof that the selected hosts, and only they, got the file. */
function fleetRows(env: DemoEnvironment): FleetRow[] {
  const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12);
  const bundle = sha(join(PACKAGE_BUNDLES_DIR, 'rate-limiter', 'rate-limiter.yaml'));
  return env.fleet.hosts.map((host, i) => {
    const path = env.fleet.localPath(host, '/etc/marshal-apps/rate-limiter/rate-limiter.yaml');
    const held = existsSync(path) ? sha(path) : undefined;
    return { name: host.name, role: demoRole(i), address: host.address, sha: held, pushed: held === bundle };
  });
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
