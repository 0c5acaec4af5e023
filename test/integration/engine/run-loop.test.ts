import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { startHarness, stateOf, type Harness } from '../../support/engine-harness.js';
import { attempts } from '../../support/test-workflows.js';

describe('engine run loop (real Redis, BullMQ workers)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(testRedisUrl(), uniquePrefix('run-loop'));
  });
  afterAll(async () => h.close());

  it('runs a diamond in order, passing outputs downstream, and succeeds', async () => {
    const runId = await h.engine.start({ workflow: 'diamond', params: {}, requester: 'U1' });
    const snap = await h.finished(runId);
    expect(snap.state).toBe('succeeded');
    expect(snap.tasks.map((t) => [t.taskId, t.state])).toEqual([
      ['a', 'success'],
      ['b', 'success'],
      ['c', 'success'],
      ['d', 'success'],
      ['e', 'success'],
      ['on-failure', 'skipped'],
      ['cleanup', 'success'],
    ]);
    const started = h.events
      .filter((e) => e.runId === runId && e.type === 'task.state' && e.state === 'running')
      .map((e) => (e as { taskId: string }).taskId);
    expect(started.indexOf('a')).toBeLessThan(started.indexOf('b'));
    expect(started.indexOf('d')).toBeGreaterThan(Math.max(started.indexOf('b'), started.indexOf('c')));
  });

  it('a failing branch fails its downstream (upstream_failed propagates), runs one_failed and all_done, and fails the run', async () => {
    const runId = await h.engine.start({ workflow: 'diamond', params: { failB: true }, requester: 'U1' });
    const snap = await h.finished(runId);
    expect(snap.state).toBe('failed');
    expect(stateOf(snap, 'b')).toBe('failed');
    expect(snap.tasks.find((t) => t.taskId === 'b')?.error).toContain('b broke');
    expect(stateOf(snap, 'c')).toBe('success');
    expect(stateOf(snap, 'd')).toBe('upstream_failed');
    expect(stateOf(snap, 'e')).toBe('upstream_failed');
    expect(stateOf(snap, 'on-failure')).toBe('success');
    expect(stateOf(snap, 'cleanup')).toBe('success');
  });

  it('retries a failing task with backoff until it succeeds', async () => {
    const runId = await h.engine.start({ workflow: 'retrying', params: {}, requester: 'U1' });
    const snap = await h.finished(runId);
    expect(snap.state).toBe('succeeded');
    expect(attempts.get(`${runId}:flaky`)).toBe(3);
    expect(snap.tasks[0]?.attempt).toBe(3);
    const states = h.events
      .filter((e) => e.runId === runId && e.type === 'task.state')
      .map((e) => (e as { state: string }).state);
    expect(states.filter((s) => s === 'up_for_retry')).toHaveLength(2);
  });

  it('never retries a non-retryable MarshalError', async () => {
    const runId = await h.engine.start({ workflow: 'retrying', params: { fatal: true }, requester: 'U1' });
    const snap = await h.finished(runId);
    expect(snap.state).toBe('failed');
    expect(attempts.get(`${runId}:flaky`)).toBe(1);
  });

  it('fails a task at its timeout even when it ignores the signal; all_done cleanup still runs', async () => {
    const runId = await h.engine.start({ workflow: 'slow', params: {}, requester: 'U1' });
    const snap = await h.finished(runId);
    expect(stateOf(snap, 'stuck')).toBe('failed');
    expect(snap.tasks[0]?.error).toMatch(/did not finish within 200 ms/);
    expect(stateOf(snap, 'cleanup')).toBe('success');
  });

  it('refuses params that do not match the workflow schema, and unknown workflows', async () => {
    await expect(
      h.engine.start({ workflow: 'retrying', params: { fatal: 'yes' }, requester: 'U1' }),
    ).rejects.toThrow(/fatal/);
    await expect(h.engine.start({ workflow: 'nope', params: {}, requester: 'U1' })).rejects.toThrow(
      /no workflow named "nope"/,
    );
  });

  it('keeps a per-run event history valid against the schema', async () => {
    const runId = await h.engine.start({ workflow: 'diamond', params: {}, requester: 'U1' });
    await h.finished(runId);
    const history = await h.engine.events.history(runId);
    expect(history[0]?.type).toBe('run.started');
    expect(history.at(-1)?.type).toBe('run.finished');
  });
});
