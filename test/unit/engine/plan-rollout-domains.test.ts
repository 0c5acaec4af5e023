import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BatchSize } from '../../../src/engine/model/workflow.js';
import { planRollout } from '../../../src/engine/rollout/plan-rollout.js';
import { ValidationError } from '../../../src/errors/validation-error.js';

/** Targets with a rack and a zone each, in an arbitrary order. */
const fleet = fc
  .array(fc.tuple(fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5'), fc.constantFrom('a', 'b', 'c')), {
    minLength: 1,
    maxLength: 60,
  })
  .map((rows) => new Map(rows.map(([rack, az], i) => [`h${i}`, { rack, az }])));
const size: fc.Arbitrary<BatchSize> = fc.oneof(
  fc.integer({ min: 1, max: 12 }),
  fc.integer({ min: 1, max: 100 }).map((n) => `${n}%` as const),
);
const lookup = (hosts: Map<string, Record<string, string>>) => (t: string, v: string) => hosts.get(t)?.[v];
const all = (plan: { canary: string[]; batches: string[][] }) => [...plan.canary, ...plan.batches.flat()];

describe('planRollout with failure domains (properties)', () => {
  it('plans every target exactly once, never an empty batch, whatever the domains', () => {
    fc.assert(
      fc.property(
        fleet,
        fc.integer({ min: 0, max: 3 }),
        fc.array(size, { minLength: 1, maxLength: 4 }),
        fc.option(fc.integer({ min: 1, max: 3 })),
        fc.boolean(),
        (hosts, canary, batches, cap, byZone) => {
          const targets = [...hosts.keys()];
          const strategy = {
            canary,
            batches,
            ...(cap === null ? {} : { maxPer: { var: 'rack', n: cap } }),
            ...(byZone ? { by: 'az' } : {}),
          };
          let plan;
          try {
            plan = planRollout(targets, strategy, lookup(hosts));
          } catch (err) {
            // The one refusal possible here: a canary larger than the first zone.
            expect(byZone && err instanceof ValidationError && err.issues[0]?.path === 'canary').toBe(true);
            return;
          }
          expect(all(plan).sort()).toEqual([...targets].sort());
          for (const b of plan.batches) expect(b.length).toBeGreaterThan(0);
          if (cap !== null) {
            expect(plan.maxPer?.n).toBe(cap);
            for (const t of targets) expect(plan.maxPer?.domains[t]).toBe(hosts.get(t)?.rack);
          }
        },
      ),
    );
  });

  it('--by: no batch (the canary included) mixes values, and each value’s batches come together', () => {
    fc.assert(
      fc.property(fleet, fc.array(size, { minLength: 1, maxLength: 4 }), (hosts, batches) => {
        const plan = planRollout([...hosts.keys()], { canary: 1, batches, by: 'az' }, lookup(hosts));
        const zones = [plan.canary, ...plan.batches].map((b) => new Set(b.map((t) => hosts.get(t)?.az)));
        for (const z of zones) expect(z.size).toBe(1);
        const order = zones.map((z) => [...z][0]);
        const walked = order.filter((z, i) => i === 0 || z !== order[i - 1]);
        expect(new Set(walked).size).toBe(walked.length);
      }),
    );
  });

  it('--max-per spreads each batch across the values (round robin) so the cap costs little parallelism', () => {
    const hosts = new Map(
      ['a1', 'a2', 'a3', 'b1', 'b2', 'b3'].map((t) => [t, { rack: t[0]!, az: 'z' }] as const),
    );
    const plan = planRollout(
      [...hosts.keys()],
      { canary: 0, batches: [2], maxPer: { var: 'rack', n: 1 } },
      lookup(hosts),
    );
    expect(plan.batches).toEqual([
      ['a1', 'b1'],
      ['a2', 'b2'],
      ['a3', 'b3'],
    ]);
  });

  it('refuses hosts without the var, naming them, and a canary larger than the first zone', () => {
    const hosts = new Map<string, Record<string, string>>([
      ['h1', { rack: 'r1', az: 'a' }],
      ['h2', { az: 'a' }],
      ['h3', { rack: 'r2', az: 'b' }],
    ]);
    expect(() =>
      planRollout(
        [...hosts.keys()],
        { canary: 1, batches: ['100%'], maxPer: { var: 'rack', n: 1 } },
        lookup(hosts),
      ),
    ).toThrow(/host h2 has no single value of inventory var 'rack'; --max-per rack=N needs every target/);
    expect(() =>
      planRollout([...hosts.keys()], { canary: 3, batches: ['100%'], by: 'az' }, lookup(hosts)),
    ).toThrow(/a canary of 3 hosts is more than az=a has \(2\)/);
  });

  it('percentages under --by are of each value’s hosts: 50% of a 4-host zone is 2', () => {
    const hosts = new Map(
      ['a1', 'a2', 'a3', 'a4', 'b1', 'b2'].map((t) => [t, { rack: 'r', az: t[0]! }] as const),
    );
    const plan = planRollout([...hosts.keys()], { canary: 0, batches: ['50%'], by: 'az' }, lookup(hosts));
    expect(plan.batches).toEqual([['a1', 'a2'], ['a3', 'a4'], ['b1'], ['b2']]);
  });
});
