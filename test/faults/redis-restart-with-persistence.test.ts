import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectedOutcome,
  fleetOutcome,
  PUSH_ARGS,
  startFaultWorld,
  type FaultWorld,
} from '../support/marshal-process.js';

/**
 * Redis with an append-only file restarts while a batch is in flight: `marshal run` waits for it, the
 * run completes, and every web host got the bundle installed exactly once (api hosts never).
 */
describe('Redis restarts with persistence mid-run', () => {
  let world: FaultWorld;
  beforeAll(async () => {
    world = await startFaultWorld({ hosts: 12, redis: { persistent: true } });
  });
  afterAll(() => world?.close());

  it('the run completes and every host is changed exactly once', async () => {
    const run = world.marshal(PUSH_ARGS);
    await run.waitFor(/batch 2\/2: \d+\/\d+ done/, 'the second batch to start');
    await world.redis.restart();

    const { code } = await run.exited;
    const out = run.stdout() + run.stderr();
    expect(code, out).toBe(0);
    expect(out).toMatch(/run \S+: config-push — succeeded/);
    expect(out).not.toMatch(/DATA LOSS|Unhandled error event/);
    expect(fleetOutcome(world.env)).toEqual(expectedOutcome(world.env));
  });
});
