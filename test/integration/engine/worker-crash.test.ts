import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { startHarness, tempDir, type Harness } from '../../support/engine-harness.js';
import { killHard, spawnWorker } from '../../support/worker-process.js';
import { appliedLines } from '../../support/test-workflows.js';

const targets = Array.from({ length: 16 }, (_, i) => `host-${String(i + 1).padStart(2, '0')}`);

describe('engine workers in separate processes', () => {
  const children: ChildProcess[] = [];
  let h: Harness | undefined;
  afterEach(async () => {
    for (const c of children) await killHard(c);
    children.length = 0;
    await h?.close();
  });

  it('a worker SIGKILLed mid-batch: another worker finishes the run, every target step done exactly once', async () => {
    const prefix = uniquePrefix('crash');
    // The test process only starts the run and listens; the work happens in the children.
    h = await startHarness(testRedisUrl(), prefix, false);
    const first = await spawnWorker(testRedisUrl(), prefix, 8);
    children.push(first);
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: { dir, targets, canary: 1, batches: [15], concurrency: 6, stepDelayMs: 300 },
      requester: 'U1',
    });
    // Kill once some batch targets are done and others are in flight.
    let finishedInBatch = 0;
    await h.event(
      (e) =>
        e.runId === runId &&
        e.type === 'target.finished' &&
        e.result.stage === 'batch' &&
        ++finishedInBatch >= 3,
    );
    await killHard(first);
    // Mid-batch: targets were left to do (in flight ones may all have just recorded their end).
    const done = (await h.engine.get(runId)).progress.find((p) => p.stage === 'batch')?.done ?? 0;
    expect(done).toBeLessThan(targets.length - 1);
    children.push(await spawnWorker(testRedisUrl(), prefix, 8));
    const snap = await h.finished(runId);
    expect(snap.state).toBe('succeeded');
    for (const t of targets) expect({ t, lines: appliedLines(dir, t) }).toEqual({ t, lines: 1 });
    expect(snap.targets.filter((t) => t.ok)).toHaveLength(targets.length);
  });

  it('two worker processes share one run: both work on its targets', async () => {
    const prefix = uniquePrefix('share');
    h = await startHarness(testRedisUrl(), prefix, false);
    children.push(await spawnWorker(testRedisUrl(), prefix, 2), await spawnWorker(testRedisUrl(), prefix, 2));
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: { dir, targets, canary: 1, batches: [15], concurrency: 4, stepDelayMs: 100 },
      requester: 'U1',
    });
    const snap = await h.finished(runId);
    expect(snap.state).toBe('succeeded');
    const ledger = h.events.filter((e) => e.runId === runId && e.type === 'target.finished');
    expect(ledger).toHaveLength(targets.length);
    const { readFileSync } = await import('node:fs');
    const pids = new Set(targets.map((t) => readFileSync(`${dir}/${t}`, 'utf8').trim().split(' ')[1]));
    expect(pids.size).toBe(2);
    for (const t of targets) expect(appliedLines(dir, t)).toBe(1);
  });
});
