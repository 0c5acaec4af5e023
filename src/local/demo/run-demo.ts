import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { pino } from 'pino';
import type { Engine, RunSnapshot } from '../../engine/index.js';
import { createLogger } from '../../log/index.js';
import { describeRun } from '../../cli/describe-run.js';
import { MARSHAL_APPROVE } from '../../slack/blocks/index.js';
import { renderThreadAsText, type StoredMessage } from '../slack-standin/index.js';
import { blockActionBody, commandBody, sendSigned } from '../slack-standin/signed-requests.js';
import { DEMO_APPROVER, DEMO_CHANNEL, DEMO_REQUESTER, DemoEnvironment } from './demo-environment.js';

export interface DemoOptions {
  hosts: number;
  /** Asks the operator; undefined (no terminal) or `autoApprove` approves as the demo approver. */
  ask: ((question: string) => Promise<string>) | undefined;
  autoApprove: boolean;
  print: (text: string) => void;
}

export const DEMO_COMMAND = 'push rate-limiter to role=web --canary 1 --batches 50%,100% --delay 3s';

/**
 * The local run: Marshal's main job end to end on this machine. Alice types `/config push` in the
 * (stand-in) Slack; the canary host gets the bundle; Bob approves in the thread; the batches follow.
 * Everything Slack would receive is signed as Slack signs it, and every host is a real sshd.
 */
export async function runDemo(options: DemoOptions): Promise<RunSnapshot> {
  const { print } = options;
  if (process.getuid?.() !== 0) {
    throw new Error(
      'the local run starts real sshd hosts in their own mount namespaces, which needs root: run it as root (e.g. in a container or VM)',
    );
  }
  print(`Starting a local Redis, ${options.hosts} sshd hosts on loopback and a Slack stand-in…`);
  const env = await DemoEnvironment.start({ hosts: options.hosts, redisUrl: process.env.REDIS_URL });
  try {
    const server = await env.startServer({
      logger: createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: pino.destination(2) }),
      updateIntervalMs: 1000,
    });
    try {
      return await pushThroughSlack(
        env,
        server.marshal.engine,
        `http://127.0.0.1:${server.port}/slack/events`,
        options,
      );
    } finally {
      await server.close();
    }
  } finally {
    await env.stop();
  }
}

async function pushThroughSlack(
  env: DemoEnvironment,
  engine: Pick<Engine, 'events' | 'get'>,
  url: string,
  options: DemoOptions,
): Promise<RunSnapshot> {
  const { print } = options;
  const shown = new Set<string>();
  let gateWaiting: string | undefined;
  let finished: string | undefined;
  const sub = await engine.events.subscribe((e) => {
    if (e.type === 'gate.waiting') gateWaiting = e.runId;
    if (e.type === 'run.finished') finished = e.runId;
  });
  try {
    print(`\nalice> /config ${DEMO_COMMAND}`);
    const ack = await sendSigned(
      url,
      commandBody({ command: '/config', text: DEMO_COMMAND, user: DEMO_REQUESTER, channel: DEMO_CHANNEL }),
      {
        secret: env.signingSecret,
      },
    );
    if (ack.status !== 200) throw new Error(`the Slack app answered ${ack.status}: ${ack.text}`);
    let approved = false;
    for (;;) {
      showNewMessages(env, shown, print);
      if (gateWaiting && !approved) {
        const card = findApprovalCard(env);
        if (card) {
          approved = true;
          await approve(env, url, card, options);
        }
      }
      if (finished) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    // Let the last thread edits land, then show the thread as a Slack user sees it.
    await new Promise((r) => setTimeout(r, 1500));
    showNewMessages(env, shown, print);
    const run = await engine.get(finished);
    const parent = env.standin.messages(DEMO_CHANNEL).find((m) => !m.threadTs && m.user !== DEMO_REQUESTER);
    if (parent)
      print(
        `\n── The thread in #marshal-ops ──\n${renderThreadAsText(env.standin.thread(DEMO_CHANNEL, parent.ts))}`,
      );
    print(`\n${hostReport(env)}`);
    print(`\n${describeRun(run)}`);
    return run;
  } finally {
    await sub.close();
  }
}

function showNewMessages(env: DemoEnvironment, shown: Set<string>, print: (t: string) => void): void {
  for (const m of env.standin.messages(DEMO_CHANNEL)) {
    const replies = m.threadTs ? [] : env.standin.thread(DEMO_CHANNEL, m.ts).slice(1);
    for (const msg of [m, ...replies]) {
      if (shown.has(msg.ts)) continue;
      shown.add(msg.ts);
      print(`\n${msg.threadTs ? '↳ thread reply' : 'Marshal posted'}:\n${renderThreadAsText([msg])}`);
    }
  }
}

function findApprovalCard(env: DemoEnvironment): { ts: string; value: string } | undefined {
  for (const m of env.standin.messages(DEMO_CHANNEL).flatMap((p) => env.standin.thread(DEMO_CHANNEL, p.ts))) {
    const value = approveButtonValue(m);
    if (value) return { ts: m.ts, value };
  }
  return undefined;
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

async function approve(
  env: DemoEnvironment,
  url: string,
  card: { ts: string; value: string },
  options: DemoOptions,
): Promise<void> {
  if (!options.autoApprove && options.ask) {
    const answer = await options.ask('\nThe canary is done. Approve the batches as bob? [Y/n] ');
    if (/^n/i.test(answer.trim())) {
      options.print('bob> (clicks Abort)');
      await press(env, url, card, 'marshal_abort');
      return;
    }
  }
  options.print('bob> (clicks Approve)');
  await press(env, url, card, MARSHAL_APPROVE);
}

async function press(
  env: DemoEnvironment,
  url: string,
  card: { ts: string; value: string },
  actionId: string,
): Promise<void> {
  const res = await sendSigned(
    url,
    blockActionBody({
      actionId,
      value: card.value,
      user: DEMO_APPROVER,
      channel: DEMO_CHANNEL,
      messageTs: card.ts,
    }),
    { secret: env.signingSecret },
  );
  if (res.status !== 200) throw new Error(`the Slack app answered the click with ${res.status}: ${res.text}`);
}

/** What each host holds now: the proof that the selected hosts, and only they, got the file. */
function hostReport(env: DemoEnvironment): string {
  const target = '/etc/marshal-apps/rate-limiter/rate-limiter.yaml';
  const lines = ['── The fleet now ──'];
  for (const host of env.fleet.hosts) {
    const path = env.fleet.localPath(host, target);
    const sha = existsSync(path)
      ? createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12)
      : undefined;
    lines.push(
      `  ${host.name.padEnd(10)} ${host.address.padEnd(16)} ${sha ? `rate-limiter.yaml sha256 ${sha}…` : '(no file)'}`,
    );
  }
  return lines.join('\n');
}
