import { describe, expect, it } from 'vitest';
import { parseBatchList } from '../../../src/engine/rollout/batch-size.js';
import { parseDuration } from '../../../src/engine/rollout/duration.js';
import { parseRolloutStrategy } from '../../../src/engine/rollout/rollout-strategy-schema.js';
import { ValidationError } from '../../../src/errors/validation-error.js';
import { thrownBy } from '../../support/refusal.js';

const good = {
  canary: 1,
  batches: [1, '10%', '50%', '100%'],
  concurrency: 5,
  soakMs: 30_000,
  maxFailPercentPerBatch: 0,
  maxFailPercentTotal: 10,
};

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['2m30s', 150_000],
    ['1s500ms', 1_500],
    [' 10s ', 10_000],
    ['0', 0],
    ['0s', 0],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', '5x', '1.5h', '-5s', '30m1h', '5 m', 'ms', '1h1h', 'soon'])(
    'refuses %j, saying what is allowed',
    (text) => {
      const err = thrownBy(ValidationError, () => parseDuration(text, 'soak'));
      expect(err.message).toContain('soak');
      expect(err.message).toContain(JSON.stringify(text));
      expect(err.message).toContain("'1h30m'");
      expect(err.retryable).toBe(false);
    },
  );
});

describe('parseBatchList', () => {
  it('parses counts and percentages in order', () => {
    expect(parseBatchList('1,10%,50%,100%')).toEqual([1, '10%', '50%', '100%']);
    expect(parseBatchList(' 2 , 25% ')).toEqual([2, '25%']);
    expect(parseBatchList('12.5%')).toEqual(['12.5%']);
  });

  it('names every bad entry by position', () => {
    const err = thrownBy(ValidationError, () => parseBatchList('1,0,50%,150%,x'));
    expect(err.issues.map((i) => i.path)).toEqual(['batches[1]', 'batches[3]', 'batches[4]']);
    expect(err.message).toContain('0 < N <= 100');
  });

  it.each(['', ' , ', '1,,2'])('refuses %j', (text) => {
    thrownBy(ValidationError, () => parseBatchList(text));
  });
});

describe('RolloutStrategySchema', () => {
  it('accepts a good strategy as is', () => {
    expect(parseRolloutStrategy(good)).toEqual(good);
  });

  it('accepts the batch list and the soak time as text', () => {
    const parsed = parseRolloutStrategy({ ...good, batches: '1,10%,100%', soakMs: '5m', canary: '10%' });
    expect(parsed).toMatchObject({ batches: [1, '10%', '100%'], soakMs: 300_000, canary: '10%' });
  });

  it.each([
    [{ canary: -1 }, 'canary', 'whole number of targets (0 for none)'],
    [{ canary: '120%' }, 'canary', "'N%' with 0 <= N <= 100"],
    [{ batches: [] }, 'batches', 'at least one batch size'],
    [{ batches: [1, 0] }, 'batches[1]', 'at least 1'],
    [{ batches: ['0%'] }, 'batches[0]', '0 < N <= 100'],
    [{ batches: [2.5] }, 'batches[0]', 'whole number'],
    [{ batches: '1,nope' }, 'batches', 'is not allowed'],
    [{ concurrency: 0 }, 'concurrency', 'at least 1'],
    [{ concurrency: 1.5 }, 'concurrency', 'whole number'],
    [{ soakMs: -1 }, 'soakMs', '0 or more'],
    [{ soakMs: 'later' }, 'soakMs', "'1h30m'"],
    [{ maxFailPercentPerBatch: 101 }, 'maxFailPercentPerBatch', 'from 0 to 100'],
    [{ maxFailPercentTotal: -1 }, 'maxFailPercentTotal', 'from 0 to 100'],
  ])('refuses %j, naming %s', (patch, path, message) => {
    const err = thrownBy(ValidationError, () => parseRolloutStrategy({ ...good, ...patch }));
    const issue = err.issues.find((i) => i.path === path);
    expect(issue, `issues: ${JSON.stringify(err.issues)}`).toBeDefined();
    expect(issue?.message).toContain(message);
  });

  it('reports a missing field by name', () => {
    const { concurrency: _dropped, ...rest } = good;
    const err = thrownBy(ValidationError, () => parseRolloutStrategy(rest));
    expect(err.issues.map((i) => i.path)).toContain('concurrency');
  });
});
