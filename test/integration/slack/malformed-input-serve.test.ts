import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoEnvironment, DEMO_REQUESTER } from '../../../src/local/demo/demo-environment.js';
import { freePort } from '../../../src/local/free-port.js';
import {
  blockActionBody,
  commandBody,
  sendSigned,
} from '../../../src/local/slack-standin/signed-requests.js';
import { MARSHAL_APPROVE } from '../../../src/slack/blocks/index.js';
import { testRedisUrl } from '../../support/redis.js';

/**
 * Issue #8 item 6 against the real process: `marshal serve` (Slack endpoint and workers in one process)
 * was ended by one signed `payload=null`. It must answer each crash case with 400 and keep serving.
 */
describe('marshal serve under malformed Slack requests', () => {
  let env: DemoEnvironment;
  let serve: ChildProcess;
  let url: string;
  let output = '';

  beforeAll(async () => {
    env = await DemoEnvironment.start({ hosts: 1, redisUrl: testRedisUrl() });
    const port = await freePort();
    url = `http://127.0.0.1:${port}/slack/events`;
    serve = spawn(process.execPath, ['bin/marshal.js', 'serve'], {
      env: {
        ...process.env,
        REDIS_URL: env.redisUrl,
        MARSHAL_CONFIG: env.configPath,
        MARSHAL_PREFIX: env.prefix,
        SLACK_BOT_TOKEN: 'xoxb-0-0-marshal-local-demo',
        SLACK_SIGNING_SECRET: env.signingSecret,
        SLACK_API_URL: env.standin.url,
        PORT: String(port),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    serve.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    serve.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const check = setInterval(() => {
        if (output.includes('marshal is serving')) {
          clearInterval(check);
          resolve();
        }
      }, 50);
      serve.once('exit', (code) => {
        clearInterval(check);
        reject(new Error(`marshal serve exited with ${code} before serving:\n${output}`));
      });
    });
  });
  afterAll(async () => {
    if (serve && serve.exitCode === null && serve.signalCode === null) {
      const exited = new Promise((resolve) => serve.once('exit', resolve));
      serve.kill('SIGTERM');
      await exited;
    }
    await env?.stop();
  });

  const send = (body: string, contentType?: string) =>
    sendSigned(url, body, { secret: env.signingSecret, ...(contentType ? { contentType } : {}) });
  const press = (edit: (p: Record<string, unknown>) => unknown): string => {
    const body = blockActionBody({
      actionId: MARSHAL_APPROVE,
      value: '{}',
      user: DEMO_REQUESTER,
      messageTs: '1.1',
    });
    const payload = JSON.parse(new URLSearchParams(body).get('payload')!) as Record<string, unknown>;
    return new URLSearchParams({ payload: JSON.stringify(edit(payload)) }).toString();
  };

  it('answers payload=null, a JSON null and user: null with 400, and keeps serving', async () => {
    const answers = [
      (await send('payload=null')).status,
      (await send('null', 'application/json')).status,
      (await send(press((p) => ({ ...p, user: null })))).status,
      (await send(press((p) => ({ ...p, channel: null })))).status,
    ];
    expect(answers).toEqual([400, 400, 400, 400]);
    const alive = await send(commandBody({ command: '/ops', text: 'help', user: DEMO_REQUESTER }));
    expect(alive.status).toBe(200);
    expect({ exitCode: serve.exitCode, signal: serve.signalCode }).toEqual({ exitCode: null, signal: null });
    expect(output).toMatch(/refused a malformed Slack request/);
    expect(output).not.toMatch(/TypeError/);
  });
});
