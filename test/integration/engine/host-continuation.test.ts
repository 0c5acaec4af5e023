import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../../src/engine/runtime/keys.js';
import { CONTINUE_FOR_MS, HOSTS_PER_JOB } from '../../../src/engine/runtime/process-job.js';
import { startHarness, tempDir, type Harness } from '../../support/engine-harness.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { appliedLines } from '../../support/test-workflows.js';

/**
 * A host job goes on with the host its release hands out (process-job.ts, target-finish.ts), for about a
 * second at most: a host step then costs no queue round trip. The ledger names the job holding such a host, so the reconciler
 * leaves it alone while that job lives; were it to enqueue the host's own job, the host would be worked
 * on twice at once.
 */
describe('host jobs go on with the hosts their releases hand out', () => {
  let redis: Redis;
  let h: Harness | undefined;
  beforeAll(() => {
    redis = new Redis(testRedisUrl());
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  afterAll(async () => {
    await redis.quit();
  });

  /** Host-step jobs BullMQ was given for the run, read from the host lane's event log. */
  async function hostJobsAdded(prefix: string, runId: string): Promise<string[]> {
    const keys = createKeys(prefix);
    const events = await redis.xrange(`${prefix}:${keys.queueName}:events`, '-', '+');
    return events
      .map(([, fields]) => Object.fromEntries(fields.flatMap((v, i) => (i % 2 ? [] : [[v, fields[i + 1]]]))))
      .filter((e) => e.event === 'added' && String(e.jobId).startsWith(`${runId}|`))
      .map((e) => String(e.jobId));
  }

  it('runs 150 hosts, each once, with a job per slot (and per 64 hosts), not one per host', async () => {
    const prefix = uniquePrefix('continuation');
    h = await startHarness(testRedisUrl(), prefix, { concurrency: 4 });
    const dir = tempDir();
    const targets = Array.from({ length: 150 }, (_, i) => `h${i}`);
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: { dir, targets, canary: 0, batches: [150], concurrency: 3 },
      requester: 'U1',
    });
    const snap = await h.finished(runId);
    expect(snap.state).toBe('succeeded');
    for (const t of targets) expect({ t, lines: appliedLines(dir, t) }).toEqual({ t, lines: 1 });
    const added = await hostJobsAdded(prefix, runId);
    // Three slots start three jobs; each goes on for at most HOSTS_PER_JOB hosts, then its next host
    // gets a job of its own.
    expect(added.length).toBeGreaterThanOrEqual(3);
    expect(added.length).toBeLessThanOrEqual(3 + Math.ceil(targets.length / HOSTS_PER_JOB) + 2);
  });

  it('the reconciler, running all the time, never starts a second attempt on a host a live job holds', async () => {
    const prefix = uniquePrefix('continuation-reconcile');
    h = await startHarness(testRedisUrl(), prefix, { concurrency: 2, reconcileIntervalMs: 100 });
    const dir = tempDir();
    const targets = ['a', 'b', 'c', 'd'];
    const runId = await h.engine.start({
      // Each step takes 250 ms and writes its line half-way: a second attempt started by the reconciler
      // would find no line (check: not applied) and write one more.
      workflow: 'deploy',
      params: { dir, targets, canary: 0, batches: [4], concurrency: 1, stepDelayMs: 250 },
      requester: 'U1',
    });
    const snap = await h.finished(runId);
    expect(snap.state).toBe('succeeded');
    for (const t of targets) expect({ t, lines: appliedLines(dir, t) }).toEqual({ t, lines: 1 });
    // One slot: a job went on with at least one host its release handed out.
    expect((await hostJobsAdded(prefix, runId)).length).toBeLessThan(targets.length);
    // Nothing of the holding is left behind once the hosts are done.
    const ledger = await redis.hkeys(createKeys(prefix).ledger(runId));
    expect(ledger.filter((f) => f.endsWith('#h'))).toEqual([]);
  });

  it('a job goes on for about a second at most: hosts whose step takes longer each get a job of their own', async () => {
    const prefix = uniquePrefix('continuation-slow');
    h = await startHarness(testRedisUrl(), prefix, { concurrency: 2 });
    const dir = tempDir();
    const targets = ['a', 'b', 'c'];
    expect(CONTINUE_FOR_MS).toBeLessThan(1200);
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: { dir, targets, canary: 0, batches: [3], concurrency: 1, stepDelayMs: 1200 },
      requester: 'U1',
    });
    expect((await h.finished(runId)).state).toBe('succeeded');
    expect(await hostJobsAdded(prefix, runId)).toHaveLength(targets.length);
  });
});
