import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarshalMetrics } from '../../../src/metrics/marshal-metrics.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { startHarness, tempDir, type Harness } from '../../support/engine-harness.js';

/**
 * The two gauges over active runs (run age, gate wait) read the engine's active runs once a scrape
 * between them, not once each: the read lists up to 500 runs from Redis, and a scrape every few
 * seconds from several Prometheus servers should not pay it twice.
 */
describe('gauges over active runs', () => {
  let h: Harness;
  let metrics: MarshalMetrics;
  let activeReads = 0;
  beforeAll(async () => {
    h = await startHarness(testRedisUrl(), uniquePrefix('metrics-active'));
    metrics = new MarshalMetrics({ defaultMetrics: false });
    const engine = h.engine;
    metrics.bind({
      history: (runId) => engine.events.history(runId),
      get: (runId) => engine.get(runId),
      active: () => {
        activeReads += 1;
        return engine.list({ active: true, limit: 500 });
      },
      queueCounts: async () => ({ waiting: 0, active: 0, delayed: 0 }),
    });
  });
  afterAll(async () => h?.close());

  const line = (text: string, metric: string, runId: string) =>
    text.split('\n').find((l) => l.startsWith(`${metric}{`) && l.includes(`run="${runId}"`));

  it('reads active runs once a scrape, and afresh at the next scrape', async () => {
    const runId = await h.engine.start({
      workflow: 'deploy-gated',
      params: { dir: tempDir(), targets: ['a1', 'a2'] },
      requester: 'U-REQ',
    });
    await h.event((e) => e.runId === runId && e.type === 'gate.waiting');

    const first = await metrics.text();
    expect(activeReads).toBe(1);
    expect(line(first, 'marshal_active_run_age_seconds', runId)).toContain('workflow="deploy-gated"');
    expect(line(first, 'marshal_approval_waiting_seconds', runId)).toContain('gate="execution.approval"');

    await h.engine.abort(runId, 'U-REQ');
    await h.finished(runId);
    const second = await metrics.text();
    expect(activeReads).toBe(2);
    expect(line(second, 'marshal_active_run_age_seconds', runId)).toBeUndefined();
    expect(line(second, 'marshal_approval_waiting_seconds', runId)).toBeUndefined();
  }, 60_000);
});
