import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine/index.js';
import {
  REQUESTER,
  startSlackAppFixture,
  until,
  type SlackAppFixture,
} from '../../support/slack-app-fixture.js';
import { testRedisUrl } from '../../support/redis.js';

/** The real engine, whose `start` waits until the test lets it go: an engine as slow as we like. */
function heldStart(engine: Engine) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const state = { called: false, done: false };
  const slow: Engine = {
    events: engine.events,
    async start(request) {
      state.called = true;
      await gate;
      const id = await engine.start(request);
      state.done = true;
      return id;
    },
    decide: (input) => engine.decide(input),
    hold: (runId, by) => engine.hold(runId, by),
    resume: (runId, by) => engine.resume(runId, by),
    abort: (runId, by, options) => engine.abort(runId, by, options),
    retryFailed: (runId, by) => engine.retryFailed(runId, by),
    rollback: (runId, by) => engine.rollback(runId, by),
    get: (runId) => engine.get(runId),
    list: (options) => engine.list(options),
    locks: () => engine.locks(),
  };
  return { slow, state, release: () => release() };
}

let f: SlackAppFixture;
let held: ReturnType<typeof heldStart>;
beforeAll(async () => {
  f = await startSlackAppFixture(testRedisUrl(), {
    wrapEngine: (engine) => {
      held = heldStart(engine);
      return held.slow;
    },
  });
});
afterAll(() => f?.close());

describe('acknowledgement does not wait for the engine', () => {
  it('acks /config push while engine.start has not returned, then reports the run', async () => {
    const res = await f.command(REQUESTER, '/config', 'push nginx to s-1,s-2');
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(held.state.done).toBe(false);
    await until(() => held.state.called);
    expect(held.state.done).toBe(false);
    held.release();
    await f.ephemeral(REQUESTER, 'Started `config-push`');
    expect(held.state.done).toBe(true);
  });
});
