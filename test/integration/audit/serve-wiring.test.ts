import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { RunSchedules } from '../../../src/control/run-schedules.js';
import { DEMO_CHANNEL, DEMO_REQUESTER, DemoEnvironment } from '../../../src/local/demo/demo-environment.js';
import { freePort } from '../../../src/local/free-port.js';
import { startMarshal, type MarshalProcess } from '../../support/marshal-process.js';
import { waitUntil } from '../../support/config-push-fixture.js';
import { testRedisUrl } from '../../support/redis.js';

/**
 * `marshal serve` as an operator starts it wires what its config declares: the schedules (BullMQ job
 * schedulers, listed as from the config) and the audit sinks (a record lands in the append-only file).
 */
describe('marshal serve wires config schedules and audit sinks', { timeout: 120_000 }, () => {
  let env: DemoEnvironment;
  let serve: MarshalProcess;
  let sinkPath: string;
  let schedules: RunSchedules;

  beforeAll(async () => {
    env = await DemoEnvironment.start({ hosts: 2, redisUrl: testRedisUrl() });
    sinkPath = join(mkdtempSync(join(tmpdir(), 'marshal-sink-')), 'audit.jsonl');
    const doc = parse(readFileSync(env.configPath, 'utf8')) as Record<string, unknown>;
    doc.audit = { sinks: [{ type: 'file', path: sinkPath }] };
    doc.schedules = [
      {
        id: 'web-dry-run',
        cron: '*/2 * * * * *',
        timeZone: 'Europe/Berlin',
        workflow: 'config-push',
        args: 'rate-limiter to role=web --dry-run',
        channel: DEMO_CHANNEL,
        requester: DEMO_REQUESTER,
      },
    ];
    const configPath = join(dirname(env.configPath), 'marshal-serve.yaml');
    writeFileSync(configPath, stringify(doc));
    serve = startMarshal(['serve'], {
      REDIS_URL: env.redisUrl,
      MARSHAL_CONFIG: configPath,
      MARSHAL_PREFIX: env.prefix,
      SLACK_BOT_TOKEN: 'xoxb-0-0-marshal-local-demo',
      SLACK_SIGNING_SECRET: env.signingSecret,
      SLACK_API_URL: env.standin.url,
      PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    });
    await serve.waitFor(/marshal is serving/, 'serving');
    schedules = new RunSchedules(env.redisUrl, env.prefix);
  });
  afterAll(async () => {
    await schedules?.remove('web-dry-run');
    await schedules?.close();
    if (serve && serve.child.exitCode === null) {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
    await env?.stop();
  });

  it('registers the declared schedule, fires it, and the file sink keeps the records', async () => {
    const listed = await schedules.list();
    expect(listed.find((s) => s.id === 'web-dry-run')).toMatchObject({
      source: 'config',
      cron: '*/2 * * * * *',
      timeZone: 'Europe/Berlin',
      workflow: 'config-push',
      requester: DEMO_REQUESTER,
      dryRun: true,
      params: { bundle: 'rate-limiter', selector: 'role=web' },
    });
    const lines = await waitUntil('a fire recorded in the file sink', () => {
      if (!existsSync(sinkPath)) return undefined;
      const records = readFileSync(sinkPath, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { kind: string; runId?: string; data?: Record<string, unknown> });
      return records.some((r) => r.kind === 'schedule.fired') ? records : undefined;
    });
    const fired = lines.find((r) => r.kind === 'schedule.fired')!;
    expect(fired.data).toMatchObject({
      id: 'web-dry-run',
      workflow: 'config-push',
      requester: DEMO_REQUESTER,
    });
    // The run it started is in the file too, recorded by the trail as any run.
    await waitUntil('the scheduled run’s start in the file sink', () =>
      readFileSync(sinkPath, 'utf8')
        .split('\n')
        .find((l) => l.includes('"run.started"') && l.includes(fired.runId!)),
    );
  });
});
