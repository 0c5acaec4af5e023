import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectedOutcome,
  fleetOutcome,
  PUSH_ARGS,
  startFaultWorld,
  type FaultWorld,
} from '../support/marshal-process.js';

/**
 * Redis is away for 20 s in the middle of a batch. `marshal run` says so once when the connection
 * drops and once when it is back (not once per client or command), and the run completes correctly.
 */
describe('Redis down for 20 s mid-run', () => {
  let world: FaultWorld;
  beforeAll(async () => {
    world = await startFaultWorld({ hosts: 12, redis: { persistent: true } });
  });
  afterAll(() => world?.close());

  it('warns once down and once back, and the run completes with every host changed once', async () => {
    const run = world.marshal(PUSH_ARGS);
    await run.waitFor(/batch 2\/2: \d+\/\d+ done/, 'the second batch to start');
    await world.redis.stop();
    await run.waitFor(/is unreachable/, 'the outage to be reported');
    // The outage itself (a scenario length, not an assertion).
    await new Promise((r) => setTimeout(r, 20_000));
    await world.redis.launch();

    const { code } = await run.exited;
    const out = run.stdout() + run.stderr();
    expect(code, out).toBe(0);
    expect(out).toMatch(/run \S+: config-push — succeeded/);
    expect(out.match(/Redis at REDIS_URL=\S+ is unreachable/g), out).toHaveLength(1);
    expect(out.match(/Redis at REDIS_URL=\S+ is reachable again/g), out).toHaveLength(1);
    expect(out).not.toMatch(/Unhandled error event|DATA LOSS/);
    expect(fleetOutcome(world.env)).toEqual(expectedOutcome(world.env));
  });
});
