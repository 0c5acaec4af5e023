import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_BOT_TOKEN, DemoEnvironment } from '../../src/local/demo/demo-environment.js';
import { freePort } from '../../src/local/free-port.js';
import { LocalRedis } from '../../src/local/redis-server.js';
import { marshalEnv, startMarshal, type MarshalProcess } from '../support/marshal-process.js';

/**
 * Redis is not there when Marshal starts. Terminal commands give up at once with one line that says
 * where Redis was expected (password redacted) and why; long-running processes wait for it, saying so
 * once per attempt, report not-ready meanwhile, and come up when it starts. Never an ioredis stack.
 */
describe('Redis down at start', () => {
  let env: DemoEnvironment;
  let port: number;
  let deadUrl: string;
  const started: MarshalProcess[] = [];
  let redis: LocalRedis | undefined;

  beforeAll(async () => {
    port = await freePort();
    deadUrl = `redis://:s3cretPassw0rd@127.0.0.1:${port}`;
    // Only the fleet and config files are used; nothing listens at deadUrl.
    env = await DemoEnvironment.start({ hosts: 1, redisUrl: deadUrl });
  });
  afterAll(async () => {
    for (const p of started) await p.kill();
    await redis?.destroy();
    await env?.stop();
  });

  const noStacks = (text: string): void => {
    expect(text).not.toMatch(/Unhandled error event/);
    expect(text).not.toMatch(/^\s+at /m);
    expect(text).not.toContain('s3cretPassw0rd');
  };

  /** Exits by itself (a hang is killed after a minute and fails), with its one stderr line. */
  async function exitLine(args: string[], url: string): Promise<string> {
    const p = startMarshal(args, marshalEnv(env, url));
    started.push(p);
    const timer = setTimeout(() => void p.kill(), 60_000);
    const { code, signal } = await p.exited;
    clearTimeout(timer);
    expect({ code, signal }, p.stderr()).toEqual({ code: 2, signal: null });
    noStacks(p.stderr() + p.stdout());
    const lines = p.stderr().trim().split('\n');
    expect(lines, p.stderr()).toHaveLength(1);
    return lines[0]!;
  }

  it.each([
    ['run', ['run', 'config-push', 'rate-limiter', 'to', 'role=web', '--auto-approve']],
    ['status', ['status']],
  ])('`marshal %s` exits non-zero at once with one line naming REDIS_URL and the error', async (_, args) => {
    const line = await exitLine(args, deadUrl);
    expect(line).toContain(`REDIS_URL=redis://:***@127.0.0.1:${port}`);
    expect(line).toMatch(/ECONNREFUSED/);
  });

  it('`marshal status` gives up on a Redis that accepts connections but never answers', async () => {
    // Marshal's own wait is bounded (a few seconds per connect and per command, no retries), which is
    // what keeps `run`/`status` under the 10 s the operator waits; the process start adds to it.
    const sockets: Socket[] = [];
    const tarpit = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => tarpit.listen(0, '127.0.0.1', r));
    const tarpitPort = (tarpit.address() as AddressInfo).port;
    try {
      const line = await exitLine(['status'], `redis://127.0.0.1:${tarpitPort}`);
      expect(line).toContain(`REDIS_URL=redis://127.0.0.1:${tarpitPort}`);
      expect(line).toMatch(/timed? ?out/i);
    } finally {
      for (const s of sockets) s.destroy();
      tarpit.close();
    }
  });

  it('`marshal worker` and `marshal serve` retry with one line per attempt, report not-ready, and come up when Redis starts', async () => {
    const httpPort = await freePort();
    const worker = startMarshal(['worker'], { ...marshalEnv(env, deadUrl), LOG_LEVEL: 'info' });
    const serve = startMarshal(['serve'], {
      ...marshalEnv(env, deadUrl),
      LOG_LEVEL: 'info',
      SLACK_BOT_TOKEN: DEMO_BOT_TOKEN,
      SLACK_SIGNING_SECRET: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
      SLACK_API_URL: env.standin.url,
      PORT: String(httpPort),
    });
    started.push(worker, serve);
    const attempt = (n: number) =>
      new RegExp(
        `cannot reach Redis at REDIS_URL=redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}: [^"]*ECONNREFUSED[^"]*attempt ${n}\\)`,
      );
    await worker.waitFor(attempt(3), 'the third attempt');
    await serve.waitFor(attempt(2), 'the second attempt');

    const live = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
    expect(live.status).toBe(200);
    const notReady = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
    expect(notReady.status).toBe(503);
    const why = (await notReady.json()) as { ready: boolean; why: string };
    expect(why).toMatchObject({ ready: false });
    expect(why.why).toContain(`127.0.0.1:${port}`);
    expect(why.why).not.toContain('s3cretPassw0rd');

    redis = await LocalRedis.start({ port });
    const admin = new Redis(redis.url);
    await admin.config('SET', 'requirepass', 's3cretPassw0rd');
    admin.disconnect();

    await worker.waitFor(/marshal worker is running/, 'the worker to come up');
    await serve.waitFor(/marshal is serving/, 'serve to come up');
    const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
    expect(ready.status).toBe(200);

    for (const p of [worker, serve]) {
      const out = p.stdout() + p.stderr();
      noStacks(out);
      // One line per attempt: attempt n is reported once, for every n up to the last one.
      const attempts = [...out.matchAll(/attempt (\d+)\)/g)].map((m) => Number(m[1]));
      expect(attempts).toEqual(attempts.map((_, i) => i + 1));
    }
  });
});
