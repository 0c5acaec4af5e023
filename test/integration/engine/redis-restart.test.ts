import { afterEach, describe, expect, it } from 'vitest';
import { LocalRedis } from '../../../src/local/redis-server.js';
import { uniquePrefix } from '../../support/redis.js';
import { startHarness, stateOf, tempDir, type Harness } from '../../support/engine-harness.js';
import { appliedLines } from '../../support/test-workflows.js';

describe('engine across a Redis restart', () => {
  let redis: LocalRedis | undefined;
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await redis?.destroy();
    redis = undefined;
  });

  it('Redis restarts mid-batch (append-only file kept): the run goes on when it is back, each target applied once', async () => {
    redis = await LocalRedis.start({ persistent: true });
    h = await startHarness(redis.url, uniquePrefix('restart'), {
      concurrency: 4,
      lockDurationMs: 4000,
      stalledIntervalMs: 1000,
      reconcileIntervalMs: 500,
    });
    const dir = tempDir();
    const targets = Array.from({ length: 10 }, (_, i) => `host-${String(i + 1).padStart(2, '0')}`);
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: { dir, targets, canary: 1, batches: [9], concurrency: 3, stepDelayMs: 300 },
      requester: 'U1',
    });
    let finishedInBatch = 0;
    await h.event(
      (e) =>
        e.runId === runId &&
        e.type === 'target.finished' &&
        e.result.stage === 'batch' &&
        ++finishedInBatch >= 2,
    );
    expect((await h.engine.get(runId)).state).toBe('running');
    await redis.restart();
    const snap = await h.finished(runId);
    expect(snap.state).toBe('succeeded');
    expect(stateOf(snap, 'cleanup')).toBe('success');
    for (const t of targets) expect({ t, lines: appliedLines(dir, t) }).toEqual({ t, lines: 1 });
    expect(snap.targets.filter((t) => t.ok)).toHaveLength(targets.length);
  });
});
