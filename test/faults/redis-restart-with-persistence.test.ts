import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoEnvironment } from '../../src/local/demo/demo-environment.js';
import { LocalRedis } from '../../src/local/redis-server.js';
import {
  expectedOutcome,
  fleetOutcome,
  marshalEnv,
  PUSH_ARGS,
  startMarshal,
  traceInstalls,
  type MarshalProcess,
} from '../support/marshal-process.js';

/**
 * Redis with an append-only file restarts while a batch is in flight: `marshal run` waits for it, the
 * run completes, and every web host got the bundle installed exactly once (api hosts never).
 */
describe('Redis restarts with persistence mid-run', () => {
  let env: DemoEnvironment;
  let redis: LocalRedis;
  const started: MarshalProcess[] = [];

  beforeAll(async () => {
    redis = await LocalRedis.start({ persistent: true });
    env = await DemoEnvironment.start({ hosts: 12, redisUrl: redis.url });
    traceInstalls(env);
  });
  afterAll(async () => {
    for (const p of started) await p.kill();
    await env?.stop();
    await redis?.destroy();
  });

  it('the run completes and every host is changed exactly once', async () => {
    const run = startMarshal(PUSH_ARGS, marshalEnv(env, redis.url));
    started.push(run);
    await run.waitFor(/batch 2\/2: \d+\/\d+ done/, 'the second batch to start');
    await redis.restart();

    const { code } = await run.exited;
    const out = run.stdout() + run.stderr();
    expect(code, out).toBe(0);
    expect(out).toMatch(/run \S+: config-push — succeeded/);
    expect(out).not.toMatch(/DATA LOSS|Unhandled error event/);
    expect(fleetOutcome(env)).toEqual(expectedOutcome(env));
  });
});
