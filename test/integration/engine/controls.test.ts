import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { startHarness, stateOf, tempDir, type Harness } from '../../support/engine-harness.js';
import { appliedLines, rollbackLog } from '../../support/test-workflows.js';
import { LockConflict } from '../../../src/engine/errors/lock-conflict.js';
import { RunStateConflict } from '../../../src/engine/errors/run-state-conflict.js';

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `h${i + 1}`);
const lines = (dir: string, n: number) => hosts(n).reduce((sum, t) => sum + appliedLines(dir, t), 0);

describe('run controls and locks', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(testRedisUrl(), uniquePrefix('controls'));
  });
  afterAll(async () => h.close());

  it('hold parks the batches stage before its next batch; resume finishes the run', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: { dir, targets: hosts(5), canary: 1, batches: [1], concurrency: 1, stepDelayMs: 60 },
      requester: 'U1',
    });
    await h.event((e) => e.runId === runId && e.type === 'target.finished' && e.result.stage === 'canary');
    await h.engine.hold(runId, 'U2');
    await h.event(
      (e) =>
        e.runId === runId &&
        e.type === 'task.state' &&
        e.taskId === 'execution.batches' &&
        e.state === 'held',
    );
    const held = await h.engine.get(runId);
    expect(held.state).toBe('held');
    expect(held.holdRequested).toBe(true);
    const doneWhenHeld = lines(dir, 5);
    expect(doneWhenHeld).toBeLessThan(5);
    await h.engine.resume(runId, 'U2');
    const end = await h.finished(runId);
    expect(end.state).toBe('succeeded');
    for (const t of hosts(5)) expect(appliedLines(dir, t)).toBe(1);
    expect(
      h.events
        .filter((e) => e.runId === runId && e.type === 'run.control')
        .map((e) => (e as { action: string }).action),
    ).toEqual(['hold', 'resume']);
  });

  it('abort stops starting targets, lets cleanup run and skips rollback unless asked', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: { dir, targets: hosts(8), canary: 1, batches: [7], concurrency: 1, stepDelayMs: 80 },
      requester: 'U1',
    });
    await h.event((e) => e.runId === runId && e.type === 'target.finished' && e.result.stage === 'batch');
    await h.engine.abort(runId, 'U2');
    const end = await h.finished(runId);
    expect(end.state).toBe('aborted');
    expect(end.abortRequested).toBe(true);
    expect(lines(dir, 8)).toBeLessThan(8);
    expect(stateOf(end, 'rollback')).toBe('skipped');
    expect(stateOf(end, 'audit')).not.toBe('success');
    expect(stateOf(end, 'cleanup')).toBe('success');
    expect(rollbackLog(dir)).toEqual([]);
    await expect(h.engine.resume(runId, 'U2')).rejects.toBeInstanceOf(RunStateConflict);
  });

  it('abort with rollback restores the changed targets', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: { dir, targets: hosts(8), canary: 1, batches: [7], concurrency: 1, stepDelayMs: 80 },
      requester: 'U1',
    });
    await h.event((e) => e.runId === runId && e.type === 'target.finished' && e.result.stage === 'batch');
    await h.engine.abort(runId, 'U2', { rollback: true });
    const end = await h.finished(runId);
    expect(end.state).toBe('aborted');
    expect(stateOf(end, 'rollback')).toBe('success');
    const changed = hosts(8).filter((t) => appliedLines(dir, t) === 1);
    expect([...rollbackLog(dir)].sort()).toEqual(changed.sort());
  });

  it('abort while a gate waits rejects it, rolls the canary back (the default) and still runs cleanup', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'deploy-gated',
      params: { dir, targets: hosts(3) },
      requester: 'U1',
    });
    await h.event((e) => e.runId === runId && e.type === 'gate.waiting');
    await h.engine.abort(runId, 'U2');
    const end = await h.finished(runId);
    expect(end.state).toBe('aborted');
    expect(end.gates[0]?.state).toBe('rejected');
    expect(stateOf(end, 'cleanup')).toBe('success');
    // Like Argo Rollouts' abort: what the canary changed goes back unless the aborter keeps it.
    expect(stateOf(end, 'rollback')).toBe('success');
  });

  it('locks: a second run wanting a held lock is refused naming the holder; released when the holder ends', async () => {
    const dir = tempDir();
    const a = await h.engine.start({
      workflow: 'deploy-gated',
      params: { dir, targets: hosts(2), lock: 'host:db-1' },
      requester: 'U1',
    });
    expect(await h.engine.locks()).toEqual([expect.objectContaining({ name: 'host:db-1', owner: a })]);
    const refused = await h.engine
      .start({ workflow: 'deploy', params: { dir, targets: hosts(2), lock: 'host:db-1' }, requester: 'U3' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LockConflict);
    expect((refused as LockConflict).message).toContain(a);
    expect((refused as LockConflict).retryable).toBe(false);
    await h.event((e) => e.runId === a && e.type === 'gate.waiting');
    await h.engine.abort(a, 'U2');
    await h.finished(a);
    expect(await h.engine.locks()).toEqual([]);
    const b = await h.engine.start({
      workflow: 'deploy',
      params: { dir: tempDir(), targets: hosts(1), lock: 'host:db-1' },
      requester: 'U3',
    });
    expect((await h.finished(b)).state).toBe('succeeded');
    expect(await h.engine.locks()).toEqual([]);
  });

  it('a dry run takes no workflow lock: it neither waits for nor holds back a real run', async () => {
    const real = await h.engine.start({
      workflow: 'deploy-gated',
      params: { dir: tempDir(), targets: hosts(1), lock: 'host:db-2' },
      requester: 'U1',
    });
    const dry = await h.engine.start({
      workflow: 'deploy',
      params: { dir: tempDir(), targets: hosts(1), lock: 'host:db-2' },
      requester: 'U3',
      dryRun: true,
    });
    expect((await h.engine.locks()).map((l) => l.owner)).toEqual([real]);
    expect((await h.finished(dry)).state).toBe('succeeded');
    await h.event((e) => e.runId === real && e.type === 'gate.waiting');
    await h.engine.abort(real, 'U2');
    await h.finished(real);
  });
});
