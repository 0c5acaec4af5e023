import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { startHarness, stateOf, tempDir, type Harness } from '../../support/engine-harness.js';
import { killHard, spawnWorker } from '../../support/worker-process.js';
import { appliedLines, rollbackLog } from '../../support/test-workflows.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Work whose BullMQ job is gone or given up on must still end, so the run finishes. */
describe('engine: work whose job is lost or abandoned', () => {
  const children: ChildProcess[] = [];
  let h: Harness | undefined;
  let keepWorkers = false;
  afterEach(async () => {
    keepWorkers = false;
    for (const c of children) await killHard(c);
    children.length = 0;
    await h?.close();
    h = undefined;
  });

  it('a step that kills its worker every time: after maxStalledCount the target fails ("worker lost"), the rollout halts, rollback and cleanup run', async () => {
    const prefix = uniquePrefix('crashloop');
    h = await startHarness(testRedisUrl(), prefix, false);
    // Like a supervisor: whenever the worker process dies, start another.
    keepWorkers = true;
    const supervise = (async () => {
      while (keepWorkers) {
        const child = await spawnWorker(testRedisUrl(), prefix, 4, {
          MARSHAL_MAX_STALLED: '1',
          MARSHAL_LOCK_MS: '3000',
        });
        children.push(child);
        await new Promise((r) => child.once('exit', r));
      }
    })();
    const dir = tempDir();
    const targets = ['host-01', 'host-02', 'host-03', 'host-04'];
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: {
        dir,
        targets,
        crashOn: ['host-03'],
        canary: 1,
        batches: [3],
        concurrency: 1,
        maxFailPercentPerBatch: 0,
      },
      requester: 'U1',
    });
    const snap = await h.finished(runId);
    keepWorkers = false;
    expect(snap.state).toBe('failed');
    const crashed = snap.targets.find((t) => t.target === 'host-03');
    expect(crashed?.ok).toBe(false);
    expect(crashed?.error).toMatch(/worker lost 2 times while running host host-03/);
    expect(stateOf(snap, 'execution.batches')).toBe('failed');
    expect(appliedLines(dir, 'host-04')).toBe(0);
    expect(rollbackLog(dir).sort()).toEqual(['host-01', 'host-02']);
    expect(stateOf(snap, 'rollback')).toBe('success');
    expect(stateOf(snap, 'cleanup')).toBe('success');
    expect(readFileSync(join(dir, 'cleanup.log'), 'utf8').trim()).toBe(runId);
    await killHard(children[children.length - 1] as ChildProcess);
    await supervise.catch(() => undefined);
  });

  it('a queued task whose job vanished from the queue: the reconciler enqueues it again and the run succeeds', async () => {
    const prefix = uniquePrefix('lostjob');
    h = await startHarness(testRedisUrl(), prefix, false);
    const runId = await h.engine.start({ workflow: 'diamond', params: {}, requester: 'U1' });
    expect(stateOf(await h.engine.get(runId), 'a')).toBe('queued');
    // Task jobs are on the control lane (runtime/jobs.ts).
    const queue = new Queue('control', { connection: { url: testRedisUrl() }, prefix });
    await queue.drain();
    expect(await queue.getJobCounts('wait', 'delayed', 'active')).toEqual({ wait: 0, delayed: 0, active: 0 });
    await queue.close();
    h.engine.startWorkers({ concurrency: 4, reconcileIntervalMs: 300 });
    const snap = await h.finished(runId);
    expect(snap.state).toBe('succeeded');
    expect(stateOf(snap, 'e')).toBe('success');
  });

  it('batch targets handed out whose jobs vanished (as when a worker dies between the two): the run still finishes, each target applied once', async () => {
    const prefix = uniquePrefix('lostgap');
    const reconcileIntervalMs = Number(process.env.TEST_RECONCILE_MS ?? 300);
    // One job at a time: of the three targets the batch hands out, one runs and two wait on the queue.
    h = await startHarness(testRedisUrl(), prefix, { concurrency: 1, reconcileIntervalMs });
    const dir = tempDir();
    const targets = ['host-01', 'host-02', 'host-03', 'host-04', 'host-05'];
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: { dir, targets, canary: 1, batches: [4], concurrency: 3, stepDelayMs: 1000 },
      requester: 'U1',
    });
    await h.event((e) => e.type === 'stage.progress' && e.runId === runId && e.progress.stage === 'batch');
    const queue = new Queue('jobs', { connection: { url: testRedisUrl() }, prefix });
    await queue.drain();
    await queue.close();
    const snap = await h.finished(runId);
    expect(snap.state).toBe('succeeded');
    for (const t of targets) expect({ t, lines: appliedLines(dir, t) }).toEqual({ t, lines: 1 });
  });
});
