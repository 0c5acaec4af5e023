import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  batchListSchema,
  percent,
  readSize,
  sizeSchema,
  splitBatchList,
} from '../../../src/engine/rollout/batch-size.js';
import { durationMsSchema, readDuration } from '../../../src/engine/rollout/duration.js';

describe('readSize', () => {
  it.each([
    [3, 1, 3],
    ['3', 1, 3],
    [' 10% ', 1, '10%'],
    ['010.50%', 1, '10.5%'],
    [0, 0, 0],
    ['0%', 0, '0%'],
    ['100%', 1, '100%'],
  ] as const)('reads %j (min %d) as %j', (value, min, size) => {
    expect(readSize(value, min)).toEqual({ ok: true, size });
  });

  it.each([
    ['lots', 0, 'shape'],
    ['', 0, 'shape'],
    ['-1', 0, 'shape'],
    [2.5, 1, 'shape'],
    ['1.5', 1, 'shape'],
    [0, 1, 'range'],
    ['0', 1, 'range'],
    ['0%', 1, 'range'],
    ['101%', 0, 'range'],
    [-1, 0, 'range'],
  ] as const)('refuses %j (min %d) as %s', (value, min, refused) => {
    expect(readSize(value, min)).toEqual({ ok: false, refused });
  });

  it('spells a percentage one way', () => {
    expect(percent(12.5)).toBe('12.5%');
  });
});

describe('sizeSchema and batchListSchema', () => {
  const size = sizeSchema({
    min: 1,
    rule: 'a size',
    refused: (value, why) => `${JSON.stringify(value)} is refused (${why})`,
  });
  const list = batchListSchema({ size, empty: 'no batches', max: { count: 2, message: 'too many' } });

  it('splits text, keeps empty entries to name them, and parses a parsed list to itself', () => {
    expect(splitBatchList(' 1, ,10%')).toEqual(['1', '', '10%']);
    const once = list.parse('1, 10%');
    expect(once).toEqual([1, '10%']);
    expect(list.parse(once)).toEqual(once);
  });

  it("says each caller's own words, naming the bad entry by index", () => {
    const issues = (input: unknown) =>
      list.safeParse(input).error?.issues.map((i) => [i.path.join('.'), i.message]);
    expect(issues('1,0%')).toEqual([['1', '"0%" is refused (range)']]);
    expect(issues('1,x')).toEqual([['1', '"x" is refused (shape)']]);
    expect(issues([])).toEqual([['', 'no batches']]);
    expect(issues('1,2,3')).toEqual([['', 'too many']]);
    expect(issues([true])).toEqual([['0', 'a size']]);
  });
});

describe('readDuration and durationMsSchema', () => {
  it('reads text or nothing', () => {
    expect(readDuration('1h30m')).toBe(5_400_000);
    expect(readDuration(' 0 ')).toBe(0);
    expect(readDuration('30')).toBeUndefined();
    expect(readDuration('')).toBeUndefined();
  });

  const soak = durationMsSchema({ field: 'soakMs', max: { ms: 60_000, message: 'at most 1m' } });

  it('takes milliseconds or text, and parses its own output to itself', () => {
    expect(soak.parse('30s')).toBe(30_000);
    expect(soak.parse(30_000)).toBe(30_000);
  });

  it('names what was wrong', () => {
    const message = (input: unknown) => soak.safeParse(input).error?.issues[0]?.message;
    expect(message('2m')).toBe('at most 1m');
    expect(message('soon')).toContain("'1h30m'");
    expect(message(-1)).toBe('soakMs must be 0 or more');
    expect(message(1.5)).toBe('soakMs must be whole milliseconds');
    expect(message(true)).toContain('soakMs must be milliseconds');
    const own = durationMsSchema({ field: 'delay', notADuration: 'is not a duration with a unit' });
    expect(own.safeParse('30').error?.issues[0]?.message).toBe('is not a duration with a unit');
    expect(z.object({ d: own }).parse({ d: '1m' })).toEqual({ d: 60_000 });
  });
});
