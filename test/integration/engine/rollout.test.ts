import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { startHarness, stateOf, tempDir, type Harness } from '../../support/engine-harness.js';
import { appliedLines, rollbackLog } from '../../support/test-workflows.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `t${i + 1}`);

describe('rollouts: batches, ledger, failure budget, rollback, dry run', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(testRedisUrl(), uniquePrefix('rollout'), { concurrency: 8, workers: 2 });
  });
  afterAll(async () => h.close());

  it('applies every target once, canary first, and reports the changed targets downstream', async () => {
    const dir = tempDir();
    const targets = hosts(7);
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: { dir, targets, canary: 1, batches: [3], concurrency: 2 },
      requester: 'U1',
    });
    const snap = await h.finished(runId);
    expect(snap.state).toBe('succeeded');
    for (const t of targets) expect(appliedLines(dir, t)).toBe(1);
    expect(snap.targets.map((t) => [t.target, t.ok, t.changed])).toEqual(
      targets.sort().map((t) => [t, true, true]),
    );
    expect(snap.targets.find((t) => t.target === 't1')?.stage).toBe('canary');
    expect(stateOf(snap, 'rollback')).toBe('skipped');
    expect(stateOf(snap, 'cleanup')).toBe('success');
    const progress = h.events.filter((e) => e.runId === runId && e.type === 'stage.progress');
    expect(
      progress.some(
        (e) => e.type === 'stage.progress' && e.progress.stage === 'batch' && e.progress.batchCount === 2,
      ),
    ).toBe(true);
    const firstBatchTarget = h.events.findIndex(
      (e) => e.runId === runId && e.type === 'target.finished' && e.result.stage === 'batch',
    );
    const canaryDone = h.events.findIndex(
      (e) => e.runId === runId && e.type === 'target.finished' && e.result.stage === 'canary',
    );
    expect(canaryDone).toBeLessThan(firstBatchTarget);
  });

  it('halts on the failure budget: no target starts after the breach; rollback restores exactly the changed targets, newest first', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: {
        dir,
        targets: hosts(6),
        canary: 1,
        batches: [4],
        concurrency: 1,
        failOn: ['t3'],
        maxFailPercentPerBatch: 0,
      },
      requester: 'U1',
    });
    const snap = await h.finished(runId);
    expect(snap.state).toBe('failed');
    expect(stateOf(snap, 'execution.batches')).toBe('failed');
    expect(snap.tasks.find((t) => t.taskId === 'execution.batches')?.error).toMatch(
      /halted: 1 of 4 targets failed/,
    );
    expect(['t1', 't2', 't3', 't4', 't5', 't6'].map((t) => appliedLines(dir, t))).toEqual([1, 1, 0, 0, 0, 0]);
    expect(rollbackLog(dir)).toEqual(['t2', 't1']);
    expect(stateOf(snap, 'rollback')).toBe('success');
    expect(stateOf(snap, 'audit')).toBe('upstream_failed');
    expect(stateOf(snap, 'cleanup')).toBe('success');
  });

  it('a rollback with concurrency restores that many targets at once, started newest first', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'deploy-parallel-rollback',
      params: {
        dir,
        targets: hosts(10),
        canary: 1,
        batches: [9],
        concurrency: 1,
        failOn: ['t10'],
        maxFailPercentPerBatch: 0,
        rollbackDelayMs: 150,
      },
      requester: 'U1',
    });
    const snap = await h.finished(runId);
    expect(snap.state).toBe('failed');
    expect(stateOf(snap, 'rollback')).toBe('success');
    expect(rollbackLog(dir)).toEqual(['t9', 't8', 't7', 't6', 't5', 't4', 't3', 't2', 't1']);
    let inFlight = 0;
    let most = 0;
    for (const line of readFileSync(join(dir, 'rollback-flight.log'), 'utf8').split('\n').filter(Boolean)) {
      inFlight += line.startsWith('+') ? 1 : -1;
      most = Math.max(most, inFlight);
    }
    expect(inFlight).toBe(0);
    expect(most).toBe(3);
  });

  it('dry run: steps plan, nothing changes on the targets, validation still runs', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: { dir, targets: hosts(4) },
      requester: 'U1',
      dryRun: true,
    });
    const snap = await h.finished(runId);
    expect(snap.state).toBe('succeeded');
    expect(snap.dryRun).toBe(true);
    expect(readdirSync(dir).filter((f) => f !== 'cleanup.log')).toEqual([]);
    expect(existsSync(join(dir, 'cleanup.log'))).toBe(true);
    expect(snap.targets.map((t) => t.summary)).toEqual(hosts(4).map((t) => `would append a line to ${t}`));
    expect(snap.targets.every((t) => !t.changed)).toBe(true);
  });

  it('retryFailed: a new run, same params, only the targets that failed', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: { dir, targets: hosts(4), failOn: ['t2', 't4'] },
      requester: 'U1',
    });
    const first = await h.finished(runId);
    expect(first.targets.filter((t) => !t.ok).map((t) => t.target)).toEqual(['t2', 't4']);
    const retryId = await h.engine.retryFailed(runId, 'U1');
    const retry = await h.finished(retryId);
    expect(retry.retryOf).toBe(runId);
    expect(retry.targets.map((t) => t.target)).toEqual(['t2', 't4']);
  });
});
