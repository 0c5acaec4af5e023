import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../../src/engine/runtime/keys.js';
import { Scripts } from '../../../src/engine/runtime/lua/index.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

/**
 * The ledger's fencing, on a real Redis: each attempt at a target gets a token; every write of the
 * entry names it, and once another attempt took the target over the old one can write nothing.
 */
describe('ledger fencing tokens', () => {
  let redis: Redis;
  let scripts: Scripts;
  const keys = createKeys(uniquePrefix('fencing'));
  const run = 'run-1';
  const field = 'execution.batches|web-1';
  const detail = JSON.stringify({ stage: 'batch', batchIndex: 1, startedAt: 'now', changed: false });
  const ledger = keys.ledger(run);
  const begin = () =>
    scripts.run<string[]>(
      'marshalTargetBegin',
      [keys.run(run), keys.stage(run, 's'), ledger],
      [field, detail],
    );
  const done = (token: string, state = 'applied') =>
    scripts.run<(number | string)[]>(
      'marshalTargetFinish',
      [
        keys.run(run),
        keys.stage(run, 's'),
        keys.stageQueue(run, 's'),
        ledger,
        keys.changed(run, 'execution'),
        keys.rollout(run, 'execution'),
        keys.hostCounts(run),
        keys.notable(run),
      ],
      [field, state, detail, '1', 'web-1', token, 100, 100],
    );
  const checkpoint = (token: string, data: string) =>
    scripts.run<number>('marshalTargetCheckpoint', [ledger], [field, token, data]);

  beforeAll(async () => {
    redis = new Redis(testRedisUrl());
    scripts = new Scripts(redis);
    await redis.hset(keys.run(run), 'state', 'running');
  });
  afterAll(async () => {
    const all = await redis.keys(`${keys.prefix}:*`);
    if (all.length) await redis.del(...all);
    await redis.quit();
  });

  it('a superseded attempt cannot checkpoint or record; the attempt that took over can, and sees the checkpoint', async () => {
    const first = await begin();
    expect(first).toEqual(['apply', '1']);
    expect(await checkpoint('1', '{"phase":"reloading"}')).toBe(1);

    // Another worker takes the job over: it reconciles, with the first attempt's checkpoint.
    const second = await begin();
    expect(second).toEqual(['reconcile', detail, '2', '{"phase":"reloading"}']);

    // The first attempt wakes: its writes are refused, nothing is counted or listed as changed.
    expect(await checkpoint('1', '{"phase":"reloaded"}')).toBe(0);
    expect(await done('1', 'failed')).toEqual([-1]);
    expect(await redis.hget(ledger, field)).toBe('started');
    expect(await redis.llen(keys.changed(run, 'execution'))).toBe(0);

    expect(await checkpoint('2', '{"phase":"reloaded"}')).toBe(1);
    expect((await done('2'))[0]).toBe(1);
    expect(await redis.hget(ledger, field)).toBe('applied');
    expect(await redis.lrange(keys.changed(run, 'execution'), 0, -1)).toEqual(['web-1']);
    // Recorded: no attempt may checkpoint any more, and the checkpoint stays for the rollback.
    expect(await checkpoint('2', 'null')).toBe(0);
    expect(await redis.hget(ledger, `${field}#c`)).toBe('{"phase":"reloaded"}');
  });

  it('fenced effects and rollback marks check the attempt that holds the task', async () => {
    await redis.hset(keys.tasks(run), 'rollback', 'running', 'rollback#a', '2');
    const check = (attempt: string) =>
      scripts.run<number>('marshalFenceCheck', [keys.tasks(run)], ['task', 'rollback', attempt]);
    expect(await check('2')).toBe(1);
    expect(await check('1')).toBe(0);
    const mark = (attempt: string, f = field) =>
      scripts.run<number>(
        'marshalRollbackMark',
        [keys.tasks(run), ledger, keys.notable(run), keys.hostCounts(run)],
        ['rollback', attempt, f, 'rolled_back', detail],
      );
    expect(await mark('1')).toBe(-1);
    expect(await redis.hget(ledger, field)).toBe('applied');
    expect(await mark('2')).toBe(1);
    expect(await redis.hget(ledger, field)).toBe('rolled_back');
    // Its entry recorded no change: the hosts a rollback put back count only changed ones.
    expect(await redis.hget(keys.hostCounts(run), 'restored')).toBeNull();

    // A changed entry put back counts once, however often its mark is redelivered.
    const changedField = 'execution.batches|web-2';
    await redis.hset(
      ledger,
      changedField,
      'applied',
      `${changedField}#d`,
      JSON.stringify({ ...JSON.parse(detail), changed: true }),
    );
    expect(await mark('2', changedField)).toBe(1);
    expect(await mark('2', changedField)).toBe(0);
    expect(await redis.hget(keys.hostCounts(run), 'restored')).toBe('1');
  });
});
