import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleSha,
  hostSha,
  PUSH_ARGS,
  startFaultWorld,
  webHosts,
  type FaultWorld,
} from '../support/marshal-process.js';

/**
 * A Redis without persistence (allowed for throwaway use) restarts in the middle of a run: the run's
 * state, ledger, locks and jobs are gone. Marshal cannot finish or roll back what it no longer knows,
 * but it must say so loudly and truthfully: `marshal run` ends non-zero with a data-loss message naming
 * every host it saw changed, never prints impossible counters, never waits forever; `marshal status`
 * says the run was lost instead of "never existed".
 */
describe('Redis restarts without persistence mid-run', () => {
  let world: FaultWorld;
  const allow = { MARSHAL_ALLOW_EPHEMERAL_REDIS: '1' };
  beforeAll(async () => {
    world = await startFaultWorld({ hosts: 12, redis: { ephemeral: true } });
  });
  afterAll(() => world?.close());

  it('is refused unless explicitly allowed', async () => {
    const p = world.marshal(['status']);
    expect((await p.exited).code).toBe(2);
    expect(p.stderr()).toMatch(/keeps nothing across a restart.*MARSHAL_ALLOW_EPHEMERAL_REDIS=1/);
  });

  it('reports the loss loudly, naming the hosts touched; no negative counters, no hang', async () => {
    const { env } = world;
    const run = world.marshal(PUSH_ARGS, allow);
    const runId = (await run.waitFor(/▶ run (\S+):/, 'the run to start'))[1]!;
    // The second batch has started: the canary and the first batch are done and reported.
    await run.waitFor(/batch 2\/2: \d+\/\d+ done/, 'the second batch to start');
    const wanted = bundleSha();
    const changedBefore = webHosts(env).filter((h) => hostSha(env, h) === wanted);
    await world.redis.kill();
    await world.redis.launch();

    const { code } = await run.exited;
    const out = run.stdout() + run.stderr();
    expect(code, out).not.toBe(0);
    expect(out).toMatch(/DATA LOSS/);
    const named = /hosts touched[^:]*: ([^\n.;]+)/.exec(run.stderr())?.[1]?.split(', ') ?? [];
    expect(changedBefore.length).toBeGreaterThanOrEqual(2);
    for (const host of changedBefore) expect(named, out).toContain(host);
    // Counters that cannot be are never printed as progress.
    expect(out).not.toMatch(/-\d+ in flight/);
    expect(out).not.toMatch(/ \d+\/0 done/);
    expect(out).not.toMatch(/Unhandled error event/);

    const status = world.marshal(['status', runId], allow);
    expect((await status.exited).code).not.toBe(0);
    expect(status.stderr()).toMatch(new RegExp(`DATA LOSS: run ${runId}`));
    expect(status.stderr()).not.toMatch(/never existed/);
    for (const host of changedBefore) expect(status.stderr()).toContain(host);
  });
});
