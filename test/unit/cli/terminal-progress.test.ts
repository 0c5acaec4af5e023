import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StageProgress } from '../../../src/engine/index.js';
import { consistent, formatEventLine } from '../../../src/cli/terminal-progress.js';

const at = '2026-11-27T00:17:50.000Z';
const line = (progress: StageProgress): string =>
  formatEventLine({ type: 'stage.progress', runId: 'r1', at, progress })!;

const progress = fc.record({
  rolloutId: fc.constant('execution'),
  stage: fc.constantFrom('canary' as const, 'batch' as const),
  batchIndex: fc.integer({ min: 0, max: 4 }),
  batchCount: fc.integer({ min: 1, max: 4 }),
  total: fc.integer({ min: -5, max: 50 }),
  done: fc.integer({ min: -5, max: 50 }),
  failed: fc.integer({ min: -5, max: 50 }),
  inFlight: fc.integer({ min: -5, max: 50 }),
});

describe('terminal progress lines', () => {
  it('never print a negative count, or more done than there are (counters rebuilt after a data loss)', () => {
    fc.assert(
      fc.property(progress, (p) => {
        const text = line(p);
        expect(text).not.toMatch(/-\d/);
        const shown = /(\d+)\/(\d+) done, (\d+) failed, (\d+) in flight/.exec(text);
        if (!shown) return;
        const [done, total, , inFlight] = shown.slice(1).map(Number) as [number, number, number, number];
        expect(done + inFlight).toBeLessThanOrEqual(total);
      }),
    );
  });

  it('print the counters of a live stage as they are', () => {
    const p: StageProgress = {
      rolloutId: 'execution',
      stage: 'batch',
      batchIndex: 1,
      batchCount: 2,
      total: 3,
      done: 1,
      failed: 0,
      inFlight: 2,
    };
    expect(consistent(p)).toBe(true);
    expect(line(p)).toBe('00:17:50     execution batch 1/2: 1/3 done, 0 failed, 2 in flight');
    expect(line({ ...p, total: 0, done: 3, inFlight: -3 })).toMatch(/progress unknown/);
  });

  it('print a lost run with the hosts known to be touched', () => {
    expect(
      formatEventLine({
        type: 'run.lost',
        runId: 'r1',
        at,
        hosts: ['web-001', 'web-002'],
        why: 'Redis restarted without its data',
        detectedAt: at,
      }),
    ).toBe(
      '00:17:50 🚨 run r1 LOST: Redis restarted without its data; hosts touched as far as known: web-001, web-002',
    );
  });
});
