import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appliedLines } from '../../support/test-workflows.js';
import { startHarness, tempDir, type Harness } from '../../support/engine-harness.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

describe('one run cannot take every host slot (per-run shares, runtime/run-shares.ts)', () => {
  let h: Harness;
  // Two slots per run and one reserve slot that no single run may take.
  beforeAll(async () => {
    h = await startHarness(testRedisUrl(), uniquePrefix('shares'), { concurrency: 2, reserveSlots: 1 });
  });
  afterAll(async () => h.close());

  it('a small run’s host starts in the reserve while a large run holds its whole share', async () => {
    const bigDir = tempDir();
    const big = await h.engine.start({
      workflow: 'deploy',
      params: {
        dir: bigDir,
        targets: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'],
        canary: 0,
        batches: [6],
        concurrency: 6,
        stepDelayMs: 8000,
      },
      requester: 'U-BIG',
    });
    const bigLines = () =>
      ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'].reduce((n, t) => n + appliedLines(bigDir, t), 0);
    // Half-way through its first steps (each writes its line after 4 s, then sleeps 4 s more).
    while (bigLines() < 2) await new Promise((r) => setTimeout(r, 100));

    const small = await h.engine.start({
      workflow: 'deploy',
      params: { dir: tempDir(), targets: ['b1'], canary: 0, batches: [1], concurrency: 1 },
      requester: 'U-SMALL',
    });
    expect((await h.finished(small)).state).toBe('succeeded');
    // It finished while the large run's first steps still held their slots: nothing of it had ended,
    // and only its share (2) of the three slots had started.
    expect(h.events.filter((e) => e.runId === big && e.type === 'target.finished')).toEqual([]);
    expect(bigLines()).toBe(2);
    await h.engine.abort(big, 'U-BIG');
    await h.finished(big);
  }, 60_000);
});
