import { describe, expect, it } from 'vitest';
import { WORKER_DEFAULTS, workerSettings } from '../../../src/engine/runtime/workers.js';

describe('worker settings', () => {
  it('reconciles as often as it looks for stalled jobs, so work a dead worker handed out but never enqueued is found as soon as its jobs are', () => {
    expect(workerSettings({ stalledIntervalMs: 1000 }).reconcileIntervalMs).toBe(1000);
    expect(workerSettings({ stalledIntervalMs: 5000, lockDurationMs: 8000 }).reconcileIntervalMs).toBe(5000);
  });

  it('reconciles at least every 15 s, and as told when told', () => {
    expect(workerSettings({}).reconcileIntervalMs).toBe(WORKER_DEFAULTS.reconcileIntervalMs);
    expect(workerSettings({ stalledIntervalMs: 30_000 }).reconcileIntervalMs).toBe(15_000);
    expect(workerSettings({ stalledIntervalMs: 1000, reconcileIntervalMs: 700 }).reconcileIntervalMs).toBe(
      700,
    );
  });
});
