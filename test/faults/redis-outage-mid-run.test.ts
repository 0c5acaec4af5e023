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
 * Redis is away for 20 s in the middle of a batch. `marshal run` says so once when the connection
 * drops and once when it is back (not once per client or command), and the run completes correctly.
 */
describe('Redis down for 20 s mid-run', () => {
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

  it('warns once down and once back, and the run completes with every host changed once', async () => {
    const run = startMarshal(PUSH_ARGS, marshalEnv(env, redis.url));
    started.push(run);
    await run.waitFor(/batch 2\/2: \d+\/\d+ done/, 'the second batch to start');
    await redis.stop();
    await run.waitFor(/is unreachable/, 'the outage to be reported');
    // The outage itself (a scenario length, not an assertion).
    await new Promise((r) => setTimeout(r, 20_000));
    await redis.launch();

    const { code } = await run.exited;
    const out = run.stdout() + run.stderr();
    expect(code, out).toBe(0);
    expect(out).toMatch(/run \S+: config-push — succeeded/);
    expect(out.match(/Redis at REDIS_URL=\S+ is unreachable/g), out).toHaveLength(1);
    expect(out.match(/Redis at REDIS_URL=\S+ is reachable again/g), out).toHaveLength(1);
    expect(out).not.toMatch(/Unhandled error event|DATA LOSS/);
    expect(fleetOutcome(env)).toEqual(expectedOutcome(env));
  });
});
