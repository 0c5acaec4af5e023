import { describe, expect, it } from 'vitest';
import {
  BatchSizeSchema,
  parseBatchList,
  percentOf,
  readSize,
} from '../../../src/engine/rollout/batch-size.js';
import { durationMsSchema, parseDuration } from '../../../src/engine/rollout/duration.js';
import { ValidationError } from '../../../src/errors/validation-error.js';
import { thrownBy } from '../../support/refusal.js';

describe('batch sizes: spaces and refusals', () => {
  it('reads sizes with spaces around them', () => {
    expect(percentOf(' 10% ')).toBe(10);
    expect(readSize(' 3 ', 1)).toEqual({ ok: true, size: 3 });
    expect(readSize(' 25% ', 1)).toEqual({ ok: true, size: '25%' });
  });

  it('quotes text but not numbers when refusing a size', () => {
    const issue = (v: unknown) => BatchSizeSchema.safeParse(v).error?.issues[0]?.message;
    expect(issue(0)).toMatch(/^0 is not allowed: a batch size is a whole number/);
    expect(issue('0')).toMatch(/^"0" is not allowed: /);
  });

  it('refuses an empty list, or one of empty entries, saying how to write one', () => {
    for (const text of ['', ' , ', 5 as unknown as string]) {
      const e = thrownBy(ValidationError, () => parseBatchList(text, 'serial'));
      expect(e.issues).toEqual([
        { path: '', message: "give a comma-separated list of batch sizes, e.g. '1,10%,50%,100%'" },
      ]);
      expect(e.message).toMatch(/^serial: /);
    }
  });

  it('names each bad entry by its place, and keeps the good ones out of the refusal', () => {
    const e = thrownBy(ValidationError, () => parseBatchList('1,,0,10%', 'batches'));
    expect(e.issues.map((i) => i.path)).toEqual(['batches[1]', 'batches[2]']);
    expect(e.issues[1]?.message).toMatch(/^"0" is not allowed: /);
    expect(e.message).toMatch(/^batch list: /);
  });
});

describe('durations: refusals name the field', () => {
  it("calls the value 'duration' unless told its field, and refuses non-text as not a duration", () => {
    expect(thrownBy(ValidationError, () => parseDuration('soon')).message).toBe(
      `duration: "soon" is not a duration; use whole numbers with units h, m, s, ms, largest first, e.g. '250ms', '30s', '5m', '1h30m'`,
    );
    expect(thrownBy(ValidationError, () => parseDuration(30 as unknown as string, 'delay')).message).toMatch(
      /^delay: 30 is not a duration/,
    );
  });

  it('says what is wrong with a number of milliseconds, naming the field', () => {
    const schema = durationMsSchema({ field: 'soakMs' });
    const issue = (v: unknown) => schema.safeParse(v).error?.issues[0]?.message;
    expect(issue(-1)).toBe('soakMs must be 0 or more');
    expect(issue(1.5)).toBe('soakMs must be whole milliseconds');
    expect(issue(true)).toBe(
      "soakMs must be milliseconds (a number of 0 or more) or a duration such as '30s' or '5m'",
    );
    expect(schema.safeParse('2m').data).toBe(120_000);
    expect(schema.safeParse('soon').error?.issues[0]?.code).toBe('custom');
  });
});

describe('approval timeout (--approval-timeout)', () => {
  it('is at least one minute: 1m passes, 59s is refused saying so', async () => {
    const { RolloutParams } = await import('../../../src/engine/rollout/rollout-params.js');
    expect(RolloutParams.parse({ approvalTimeoutMs: '1m' }).approvalTimeoutMs).toBe(60_000);
    expect(RolloutParams.parse({ approvalTimeoutMs: 60_001 }).approvalTimeoutMs).toBe(60_001);
    expect(RolloutParams.safeParse({ approvalTimeoutMs: '59s' }).error?.issues[0]?.message).toBe(
      'must be at least 1 minute',
    );
  });
});

describe('rollout params: defaults and every refusal', () => {
  it('defaults to a one-host canary, 25% then the rest, a 2-minute soak, 5 at once, no failures allowed', async () => {
    const { RolloutParams, DEFAULT_SOAK_MS } = await import('../../../src/engine/rollout/rollout-params.js');
    expect(DEFAULT_SOAK_MS).toBe(120_000);
    expect(RolloutParams.parse({})).toEqual({
      canary: 1,
      batches: ['25%', '100%'],
      soakMs: 120_000,
      concurrency: 5,
      maxFailPercent: 0,
    });
  });

  it.each([
    [
      { canary: 'x' },
      `"x" is not a whole number of hosts, or a percentage like '10%' (more than 0, at most 100)`,
    ],
    [{ canary: true }, "a whole number of hosts, or a percentage like '10%' (more than 0, at most 100)"],
    [
      { batches: '' },
      `"" is not a whole number of hosts, or a percentage like '10%' (more than 0, at most 100)`,
    ],
    [{ batches: [] }, 'give at least one batch size'],
    [{ soakMs: '25h' }, 'must be at most 24h'],
    [{ soakMs: 'soon' }, `"soon" is not a duration; use whole numbers with units`],
    [{ concurrency: 'x' }, 'must be a whole number of hosts'],
    [{ concurrency: 1.5 }, 'must be a whole number of hosts'],
    [{ concurrency: 0 }, 'must be from 1 to 500 hosts at once'],
    [{ concurrency: 501 }, 'must be from 1 to 500 hosts at once'],
    [{ maxFailPercent: 'x' }, 'must be a percentage of hosts from 0 to 100'],
    [{ maxFailPercent: -1 }, 'must be a percentage of hosts from 0 to 100'],
    [{ maxFailPercent: 101 }, 'must be a percentage of hosts from 0 to 100'],
    [{ approvalTimeoutMs: -1 }, 'approvalTimeoutMs must be 0 or more'],
    [{ approvalTimeoutMs: 8 * 24 * 3_600_000 }, 'must be at most 7 days'],
  ])('refuses %j: %s', async (input, message) => {
    const { RolloutParams } = await import('../../../src/engine/rollout/rollout-params.js');
    const issues = RolloutParams.safeParse(input).error?.issues ?? [];
    expect(issues.map((i) => i.message).join(' | ')).toContain(message);
  });
});
