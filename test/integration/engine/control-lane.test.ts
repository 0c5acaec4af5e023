import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appliedLines } from '../../support/test-workflows.js';
import { startHarness, tempDir, type Harness } from '../../support/engine-harness.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

describe('control work never waits behind host steps (two lanes, runtime/jobs.ts)', () => {
  let h: Harness;
  // One host-step slot, so a single sleeping step of another run fills every slot there is.
  beforeAll(async () => {
    h = await startHarness(testRedisUrl(), uniquePrefix('lanes'), { concurrency: 1 });
  });
  afterAll(async () => h.close());

  it('an approval hands out the next batch while another run’s step holds the only host slot', async () => {
    const gated = await h.engine.start({
      workflow: 'deploy-gated',
      params: { dir: tempDir(), targets: ['b1', 'b2', 'b3'] },
      requester: 'U-REQ',
    });
    await h.event((e) => e.runId === gated && e.type === 'gate.waiting');

    // The other run's canary step: it writes its line half-way, then sleeps 8 s more in the slot.
    const busyDir = tempDir();
    const busy = await h.engine.start({
      workflow: 'deploy',
      params: { dir: busyDir, targets: ['a1', 'a2'], stepDelayMs: 16_000 },
      requester: 'U-OTHER',
    });
    while (appliedLines(busyDir, 'a1') === 0) await new Promise((r) => setTimeout(r, 100));

    await h.engine.decide({ runId: gated, gateId: 'execution.approval', decision: 'approve', by: 'U-OK' });
    await h.event(
      (e) =>
        e.runId === gated &&
        e.type === 'task.state' &&
        e.taskId === 'execution.batches' &&
        e.state === 'running',
    );
    // The batch was handed out while the busy run's step still held the slot.
    expect(h.events.filter((e) => e.runId === busy && e.type === 'target.finished')).toEqual([]);
    expect((await h.finished(gated)).state).toBe('succeeded');
    expect((await h.finished(busy)).state).toBe('succeeded');
  });
});
