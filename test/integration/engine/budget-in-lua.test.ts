import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetVerdict } from '../../../src/engine/rollout/failure-budget.js';
import { OVER_BUDGET_FN } from '../../../src/engine/runtime/lua/target-finish.js';
import { testRedisUrl } from '../../support/redis.js';

/**
 * targetFinish releases a slot without asking the engine when its Lua budget check says the budget
 * holds; were it laxer than `budgetVerdict`, a host could start after a breach. Both must agree on every
 * input, fractional limits included.
 */
describe('the failure-budget check in Lua agrees with budgetVerdict (property, real Redis)', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    await redis.quit();
  });

  const lua = `${OVER_BUDGET_FN}
return (overBudget(tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[5]))
  or overBudget(tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[6]))) and 1 or 0`;

  const limit = fc.oneof(
    fc.integer({ min: 0, max: 100 }),
    fc.double({ min: 0, max: 100, noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(0, 100, 100 / 3, 2.5, 0.1),
  );
  const counts = fc
    .tuple(fc.nat({ max: 20_000 }), fc.nat({ max: 20_000 }))
    .map(([a, b]) => ({ total: Math.max(a, b), failed: Math.min(a, b) }));

  it('exceeded exactly when budgetVerdict says so', async () => {
    await fc.assert(
      fc.asyncProperty(counts, counts, limit, limit, async (batch, run, perBatch, total) => {
        const inLua = await redis.eval(
          lua,
          0,
          batch.failed,
          batch.total,
          run.failed,
          run.total,
          perBatch,
          total,
        );
        const verdict = budgetVerdict({
          batchTotal: batch.total,
          batchFailed: batch.failed,
          runTotal: run.total,
          runFailed: run.failed,
          maxFailPercentPerBatch: perBatch,
          maxFailPercentTotal: total,
        });
        expect(inLua === 1).toBe(verdict.exceeded);
      }),
      { numRuns: 300 },
    );
  });

  it('one failure of three against 33⅓ % holds; a fourth host failing of ten against 30 % breaks it', async () => {
    const check = (failed: number, total: number, pct: number) =>
      redis.eval(lua, 0, failed, total, 0, 0, pct, 100);
    expect(await check(1, 3, 100 / 3)).toBe(0);
    expect(await check(4, 10, 30)).toBe(1);
    expect(await check(3, 10, 30)).toBe(0);
    expect(await check(1, 1, 0)).toBe(1);
  });
});
