import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys, ledgerField } from '../../../src/engine/runtime/keys.js';
import { Scripts } from '../../../src/engine/runtime/lua/index.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

/**
 * The in-batch scheduler's scripts (stageStartBatch, then targetFinish, or, when its budget check says
 * `judge`, stageRelease as the slow path does) on a real Redis, driven the way workers drive them, with targets finishing in any order: the window never holds more than
 * `n` targets of one domain, nor more than the concurrency, and every target is handed out once.
 */
describe('the in-batch scheduler holds the failure-domain cap (property, real Redis)', () => {
  let redis: Redis;
  let scripts: Scripts;
  const keys = createKeys(uniquePrefix('domain-scheduler'));
  beforeAll(() => {
    redis = new Redis(testRedisUrl());
    scripts = new Scripts(redis);
  });
  afterAll(async () => {
    await redis.quit();
  });

  /** The engine's path: one script records the end and, the budget holding (limits 100 %), releases. */
  const finish = async (runId: string, taskId: string, field: string, target: string) => {
    const reply = await scripts.run<(string | number)[]>(
      'marshalTargetFinish',
      [
        keys.run(runId),
        keys.stage(runId, taskId),
        keys.stageQueue(runId, taskId),
        keys.ledger(runId),
        keys.changed(runId, 'execution'),
        keys.rollout(runId, 'execution'),
        keys.hostCounts(runId),
        keys.notable(runId),
      ],
      // No fencing token: the scheduler, not an attempt, is under test ('' ends the entry as the engine does).
      [field, 'applied', '{}', '0', target, '', 100, 100],
    );
    return reply.slice(10);
  };

  /**
   * The slow path: a failure against a 0 % budget makes targetFinish leave the release to the caller
   * (`judge`), which releases at the counters' version, judging (as the test's scheduler) not to halt.
   */
  const judgedRelease = async (runId: string, taskId: string, field: string, target: string) => {
    const reply = await scripts.run<(string | number)[]>(
      'marshalTargetFinish',
      [
        keys.run(runId),
        keys.stage(runId, taskId),
        keys.stageQueue(runId, taskId),
        keys.ledger(runId),
        keys.changed(runId, 'execution'),
        keys.rollout(runId, 'execution'),
        keys.hostCounts(runId),
        keys.notable(runId),
      ],
      [field, 'failed', '{}', '0', target, '', 0, 0],
    );
    expect(reply[10]).toBe('judge');
    let ver = Number(reply[1]);
    for (;;) {
      const released = await scripts.run<(string | number)[]>(
        'marshalStageRelease',
        [
          keys.run(runId),
          keys.stage(runId, taskId),
          keys.stageQueue(runId, taskId),
          keys.rollout(runId, 'execution'),
          keys.ledger(runId),
        ],
        [ver, '0', '', field],
      );
      if (released[0] !== 'stale') return released;
      ver = Number(released[1]);
    }
  };

  it('no in-flight window exceeds maxPer or the concurrency; every target runs exactly once', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('r1', 'r2', 'r3', 'r4'), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
        fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
        async (racks, concurrency, cap, order, oneTrip) => {
          const runId = `r${run++}`;
          const taskId = 'execution.batches';
          const targets = racks.map((_, i) => `t${i}`);
          const domain = new Map(targets.map((t, i) => [t, racks[i]!]));
          await redis.hset(keys.run(runId), 'state', 'running');
          await redis.hset(keys.tasks(runId), taskId, 'running');
          await redis.hset(keys.rollout(runId, 'execution'), 'total', targets.length);
          const started = await scripts.run<string[]>(
            'marshalStageStartBatch',
            [keys.run(runId), keys.tasks(runId), keys.stage(runId, taskId), keys.stageQueue(runId, taskId)],
            [taskId, 0, concurrency, 1, cap, ...targets.flatMap((t) => [t, domain.get(t)!])],
          );
          expect(started[0]).toBe('started');
          const inFlight = new Set(started.slice(1));
          const handedOut = [...inFlight];
          const check = () => {
            expect(inFlight.size).toBeLessThanOrEqual(concurrency);
            const per = new Map<string, number>();
            for (const t of inFlight) per.set(domain.get(t)!, (per.get(domain.get(t)!) ?? 0) + 1);
            for (const n of per.values()) expect(n).toBeLessThanOrEqual(cap);
          };
          check();
          let done = false;
          for (let step = 0; !done; step++) {
            expect(inFlight.size).toBeGreaterThan(0);
            const pick = [...inFlight][(order[step % order.length] ?? 0) % inFlight.size]!;
            inFlight.delete(pick);
            const field = ledgerField(taskId, pick);
            const reply = oneTrip[step % oneTrip.length]
              ? await finish(runId, taskId, field, pick)
              : await judgedRelease(runId, taskId, field, pick);
            if (reply[0] === 'batch_done') done = true;
            else {
              for (const t of reply.slice(1).map(String)) {
                inFlight.add(t);
                handedOut.push(t);
              }
            }
            check();
          }
          expect(inFlight.size).toBe(0);
          expect([...handedOut].sort()).toEqual([...targets].sort());
        },
      ),
      { numRuns: 40 },
    );
  });
});
