import { describe, expect, it } from 'vitest';
import { planRollout } from '../../../src/engine/rollout/plan-rollout.js';
import type { BatchSize } from '../../../src/engine/model/workflow.js';
import { ValidationError } from '../../../src/errors/validation-error.js';
import { randomInt, seededRandom } from '../../support/random.js';

const hosts = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `web-${String(i + 1).padStart(2, '0')}`);
const sizes = (plan: { canary: string[]; batches: string[][] }) => ({
  canary: plan.canary.length,
  batches: plan.batches.map((b) => b.length),
});

describe('planRollout: examples', () => {
  it('follows Ansible serial [1, 10%, 50%, 100%] after a one-host canary', () => {
    const plan = planRollout(hosts(10), { canary: 1, batches: [1, '10%', '50%', '100%'] });
    expect(plan.canary).toEqual(['web-01']);
    expect(plan.batches).toEqual([
      ['web-02'],
      ['web-03'],
      ['web-04', 'web-05', 'web-06', 'web-07', 'web-08'],
      ['web-09', 'web-10'],
    ]);
  });

  it('repeats the last batch size until every target is placed', () => {
    expect(sizes(planRollout(hosts(11), { canary: 0, batches: [1, 3] }))).toEqual({
      canary: 0,
      batches: [1, 3, 3, 3, 1],
    });
  });

  it('takes batch percentages of the total target count, rounded down, at least one', () => {
    // 20 targets: 10% = 2 (of the total, not of the 18 left after the canary); 1% of 20 = 0.2 → 1.
    expect(sizes(planRollout(hosts(20), { canary: 2, batches: ['10%', '1%', '25%'] }))).toEqual({
      canary: 2,
      batches: [2, 1, 5, 5, 5],
    });
    // 29% of 100 is 29: integer arithmetic, not 28.999… truncated.
    expect(sizes(planRollout(hosts(100), { canary: 0, batches: ['29%'] })).batches[0]).toBe(29);
  });

  it('rounds a canary percentage up, at least one target', () => {
    expect(planRollout(hosts(10), { canary: '5%', batches: ['100%'] }).canary).toHaveLength(1);
    expect(planRollout(hosts(10), { canary: '25%', batches: ['100%'] }).canary).toHaveLength(3);
    expect(planRollout(hosts(200), { canary: '0.5%', batches: ['100%'] }).canary).toHaveLength(1);
  });

  it('has no canary for 0 or 0%', () => {
    expect(planRollout(hosts(5), { canary: 0, batches: ['100%'] })).toEqual({
      canary: [],
      batches: [hosts(5)],
    });
    expect(planRollout(hosts(5), { canary: '0%', batches: ['100%'] }).canary).toEqual([]);
  });

  it('caps a canary bigger than the fleet, leaving no batches', () => {
    expect(planRollout(hosts(3), { canary: 5, batches: [1] })).toEqual({ canary: hosts(3), batches: [] });
  });

  it('plans nothing for no targets', () => {
    expect(planRollout([], { canary: '10%', batches: [1] })).toEqual({ canary: [], batches: [] });
  });

  it('drops duplicate targets, keeping the first occurrence', () => {
    const plan = planRollout(['a', 'b', 'a', 'c', 'b'], { canary: 1, batches: [1] });
    expect(plan).toEqual({ canary: ['a'], batches: [['b'], ['c']] });
  });

  it('puts everything left in one batch when no batch sizes are given (Ansible without serial)', () => {
    expect(planRollout(hosts(4), { canary: 1, batches: [] }).batches).toEqual([hosts(4).slice(1)]);
  });

  it.each<[BatchSize, BatchSize[], string]>([
    [-1, [1], 'canary'],
    [1.5, [1], 'canary'],
    ['101%', [1], 'canary'],
    [1, [0], 'batches[0]'],
    [1, [1, '0%'], 'batches[1]'],
    [1, [1, 2, 'ten' as BatchSize], 'batches[2]'],
  ])('refuses canary %j with batches %j, naming %s', (canary, batches, path) => {
    let error: unknown;
    try {
      planRollout(hosts(50), { canary, batches });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toBe(path);
  });
});

describe('planRollout: properties over many random fleets and strategies', () => {
  const random = seededRandom(20240611);

  function randomSize(min: 0 | 1): BatchSize {
    if (random() < 0.5) return randomInt(random, min, 30);
    return `${randomInt(random, min, 100)}%`;
  }

  const cases = Array.from({ length: 500 }, () => {
    const total = randomInt(random, 0, 300);
    const canary = randomSize(0);
    const batches = Array.from({ length: randomInt(random, 1, 5) }, () => randomSize(1));
    return { total, canary, batches };
  });

  it('places every target exactly once, in order, with no empty batch', () => {
    for (const { total, canary, batches } of cases) {
      const targets = hosts(total);
      const plan = planRollout(targets, { canary, batches });
      expect([...plan.canary, ...plan.batches.flat()], JSON.stringify({ total, canary, batches })).toEqual(
        targets,
      );
      for (const batch of plan.batches) expect(batch.length).toBeGreaterThan(0);
    }
  });

  it('sizes the canary as asked: a count capped at the fleet, a percentage rounded up to at least one', () => {
    for (const { total, canary, batches } of cases) {
      const plan = planRollout(hosts(total), { canary, batches });
      let expected: number;
      if (typeof canary === 'number') expected = canary;
      else {
        const pct = Number(canary.slice(0, -1));
        expected = pct === 0 ? 0 : Math.max(1, Math.ceil((pct * total) / 100));
      }
      expect(plan.canary.length, JSON.stringify({ total, canary })).toBe(Math.min(total, expected));
    }
  });

  it('sizes each batch by its entry (the last one repeated), never more than what remains', () => {
    for (const { total, canary, batches } of cases) {
      const plan = planRollout(hosts(total), { canary, batches });
      let remaining = total - plan.canary.length;
      plan.batches.forEach((batch, i) => {
        const entry = batches[Math.min(i, batches.length - 1)]!;
        const want =
          typeof entry === 'number'
            ? entry
            : Math.max(1, Math.floor((Number(entry.slice(0, -1)) * total) / 100));
        expect(batch.length, JSON.stringify({ total, canary, batches, i })).toBe(Math.min(want, remaining));
        remaining -= batch.length;
      });
      expect(remaining).toBe(0);
    }
  });
});
