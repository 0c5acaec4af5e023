import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { startHarness, tempDir, type Harness } from '../../support/engine-harness.js';
import { rollbackOffered, unrestoredCount } from '../../../src/engine/model/rollback-offer.js';
import { NOTABLE_SHOWN } from '../../../src/engine/runtime/snapshot.js';

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `t${String(i + 1).padStart(2, '0')}`);

describe('run summaries: host counters kept as steps end, notable hosts by name, host pages', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(testRedisUrl(), uniquePrefix('summary'), { concurrency: 4 });
  });
  afterAll(async () => h.close());

  it('counts every host without the ledger, names the failed and rolled-back ones, pages the plan', async () => {
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: {
        dir: tempDir(),
        targets: hosts(12),
        canary: 1,
        batches: [5],
        concurrency: 3,
        failOn: ['t04', 't09'],
      },
      requester: 'U1',
    });
    const all = await h.finished(runId);
    // The failures stayed within the budget: the rollout went on, and no rollback put a host back.
    expect(all.hosts).toEqual({ reached: 12, ok: 10, failed: 2, changed: 10 });

    const summary = await h.engine.get(runId, { targets: 'notable' });
    // The same counts, from the counters the ledger's scripts keep.
    expect(summary.hosts).toEqual(all.hosts);
    expect(summary.shown).toEqual({ view: 'notable' });
    // The failed hosts by name, and the changed ones the rollback put back; no other host.
    const notable = all.targets.filter((t) => !t.ok || t.restore !== undefined);
    expect(notable.map((t) => t.target)).toContain('t04');
    expect(summary.targets).toEqual(notable);
    expect(summary.targets.length).toBeLessThan(all.targets.length);

    // A page: the plan's hosts in order (canary, then each batch), as `all` has them.
    const page = await h.engine.get(runId, { targets: { offset: 3, limit: 4 } });
    expect(page.shown).toEqual({ view: 'page', offset: 3, limit: 4, planned: 12 });
    // Canary t01, then t02–t06, t07–t11, t12: the fourth to seventh planned hosts.
    expect(page.targets.map((t) => t.target)).toEqual(['t04', 't05', 't06', 't07']);
    for (const t of page.targets) expect(t).toEqual(all.targets.find((a) => a.target === t.target));
    const list = (await h.engine.list({ limit: 10 })).find((r) => r.runId === runId);
    expect(list?.hosts).toEqual(all.hosts);
  });

  it('counts a rollback of more changed hosts than a summary names: nothing is left to roll back', async () => {
    const n = NOTABLE_SHOWN + 50;
    const names = Array.from({ length: n }, (_, i) => `h${String(i + 1).padStart(4, '0')}`);
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: {
        dir: tempDir(),
        targets: names,
        canary: 0,
        batches: [n],
        concurrency: 8,
        // The last host fails, and with no failure allowed the rollout fails and its rollback runs.
        failOn: [names[n - 1]!],
        maxFailPercentPerBatch: 0,
        maxFailPercentTotal: 0,
      },
      requester: 'U1',
    });
    const all = await h.finished(runId);
    expect(all.state).toBe('failed');
    // The halt may leave a few hosts in the last slots of the batch unreached; every changed one was put back.
    const counts = all.hosts!;
    expect(counts).toEqual({
      reached: counts.ok + 1,
      ok: counts.ok,
      failed: 1,
      changed: counts.ok,
      restored: counts.ok,
    });
    expect(counts.restored).toBeGreaterThan(NOTABLE_SHOWN);
    expect(unrestoredCount(all)).toBe(0);

    // The summary names NOTABLE_SHOWN of the n notable hosts (n - 1 rolled back, 1 failed), and counts them all.
    const summary = await h.engine.get(runId, { targets: 'notable' });
    expect(summary.targets).toHaveLength(NOTABLE_SHOWN);
    expect(summary.hosts).toEqual(all.hosts);
    expect(unrestoredCount(summary)).toBe(0);
    expect(rollbackOffered(summary)).toBe(false);
  }, 180_000);

  it('counts failed hosts left half-changed beyond what a summary names, until a rollback puts them back', async () => {
    const n = NOTABLE_SHOWN + 50;
    const names = Array.from({ length: n }, (_, i) => `f${String(i + 1).padStart(4, '0')}`);
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: {
        dir: tempDir(),
        targets: names,
        canary: 0,
        batches: [n],
        concurrency: 8,
        // Every step fails after its checkpoint: each host may be half-changed (restore unknown).
        failOn: names,
        checkpointOnFail: true,
      },
      requester: 'U1',
    });
    const all = await h.finished(runId);
    expect(all.hosts).toEqual({ reached: n, ok: 0, failed: n, changed: 0, halfChanged: n });
    expect(all.targets.every((t) => t.restore === 'unknown')).toBe(true);
    // The summary names NOTABLE_SHOWN of them and still counts every one as left to roll back.
    const summary = await h.engine.get(runId, { targets: 'notable' });
    expect(summary.targets).toHaveLength(NOTABLE_SHOWN);
    expect(unrestoredCount(summary)).toBe(n);
    expect(rollbackOffered(summary)).toBe(true);

    await h.engine.rollback(runId, 'U2');
    await h.event(
      (e) => e.runId === runId && e.type === 'task.state' && e.taskId === 'rollback' && e.state === 'success',
    );
    const after = await h.engine.get(runId, { targets: 'notable' });
    expect(after.hosts).toEqual({ reached: n, ok: 0, failed: n, changed: 0, halfChanged: 0 });
    expect(unrestoredCount(after)).toBe(0);
    expect(rollbackOffered(after)).toBe(false);
  }, 180_000);

  it('refuses a view it does not know, naming the field', async () => {
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: { dir: tempDir(), targets: hosts(1), canary: 0, batches: [1] },
      requester: 'U1',
    });
    await h.finished(runId);
    await expect(h.engine.get(runId, { targets: { offset: -1, limit: 10 } as never })).rejects.toThrow(
      /run view/,
    );
  });
});
