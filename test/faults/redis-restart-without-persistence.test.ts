import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoEnvironment } from '../../src/local/demo/demo-environment.js';
import { LocalRedis } from '../../src/local/redis-server.js';
import {
  bundleSha,
  hostSha,
  marshalEnv,
  PUSH_ARGS,
  startMarshal,
  traceInstalls,
  webHosts,
  type MarshalProcess,
} from '../support/marshal-process.js';

/**
 * A Redis without persistence (allowed for throwaway use) restarts in the middle of a run: the run's
 * state, ledger, locks and jobs are gone. Marshal cannot finish or roll back what it no longer knows,
 * but it must say so loudly and truthfully: `marshal run` ends non-zero with a data-loss message naming
 * every host it saw changed, never prints impossible counters, never waits forever; `marshal status`
 * says the run was lost instead of "never existed".
 */
describe('Redis restarts without persistence mid-run', () => {
  let env: DemoEnvironment;
  let redis: LocalRedis;
  const started: MarshalProcess[] = [];

  beforeAll(async () => {
    redis = await LocalRedis.start({ ephemeral: true });
    env = await DemoEnvironment.start({ hosts: 12, redisUrl: redis.url });
    traceInstalls(env);
  });
  afterAll(async () => {
    for (const p of started) await p.kill();
    await env?.stop();
    await redis?.destroy();
  });

  it('is refused unless explicitly allowed', async () => {
    const p = startMarshal(['status'], marshalEnv(env, redis.url));
    started.push(p);
    expect((await p.exited).code).toBe(2);
    expect(p.stderr()).toMatch(/keeps nothing across a restart.*MARSHAL_ALLOW_EPHEMERAL_REDIS=1/);
  });

  it('reports the loss loudly, naming the hosts touched; no negative counters, no hang', async () => {
    const allow = { ...marshalEnv(env, redis.url), MARSHAL_ALLOW_EPHEMERAL_REDIS: '1' };
    const run = startMarshal(PUSH_ARGS, allow);
    started.push(run);
    const runId = (await run.waitFor(/▶ run (\S+):/, 'the run to start'))[1]!;
    // The second batch has started: the canary and the first batch are done and reported.
    await run.waitFor(/batch 2\/2: \d+\/\d+ done/, 'the second batch to start');
    const wanted = bundleSha();
    const changedBefore = webHosts(env).filter((h) => hostSha(env, h) === wanted);
    await redis.kill();
    await redis.launch();

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

    const status = startMarshal(['status', runId], allow);
    started.push(status);
    expect((await status.exited).code).not.toBe(0);
    expect(status.stderr()).toMatch(new RegExp(`DATA LOSS: run ${runId}`));
    expect(status.stderr()).not.toMatch(/never existed/);
    for (const host of changedBefore) expect(status.stderr()).toContain(host);
  });
});
