import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, tempDir, type Harness } from '../../support/engine-harness.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

const SOAK_MS = 1500;

describe('soak between stages', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(testRedisUrl(), uniquePrefix('soak'), { concurrency: 8 });
  });
  afterAll(async () => h.close());

  it('waits at least the soak after the canary and after each batch before the next starts', async () => {
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: { dir: tempDir(), targets: ['t1', 't2', 't3'], canary: 1, batches: [1], soakMs: SOAK_MS },
      requester: 'U1',
    });
    const snap = await h.finished(runId);
    expect(snap.state).toBe('succeeded');
    // When each stage's only target finished, in stage order: canary, batch 1, batch 2.
    const finishedAt = h.events
      .filter((e) => e.runId === runId && e.type === 'target.finished')
      .map((e) => Date.parse(e.at));
    expect(finishedAt).toHaveLength(3);
    const [canary, first, second] = finishedAt as [number, number, number];
    // A lower bound only: the next stage cannot have finished before the soak after the previous one ran out.
    expect(first - canary).toBeGreaterThanOrEqual(SOAK_MS);
    expect(second - first).toBeGreaterThanOrEqual(SOAK_MS);
  });
});
