import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../commands/parse/args.js';
import { parseRolloutFlags, ROLLOUT_FLAGS } from '../../../commands/parse/rollout-flags.js';
import { tokenize } from '../../../commands/parse/tokenize.js';
import { RolloutParams, rolloutStrategy } from '../../../src/authoring/index.js';
import { MarshalError } from '../../../src/errors/index.js';
import { thrownBy } from '../../support/refusal.js';

const flagsOf = (text: string) => parseRolloutFlags(parseArgs(tokenize(text), ROLLOUT_FLAGS).flags);

function refusal(text: string): { part: unknown; message: string } {
  const err = thrownBy(MarshalError, () => flagsOf(text));
  return { part: err.context.part, message: err.message };
}

describe('shared rollout params', () => {
  it('fills the defaults every workflow starts from', () => {
    expect(RolloutParams.parse({})).toEqual({
      canary: 1,
      batches: ['25%', '100%'],
      soakMs: 120_000,
      concurrency: 5,
      maxFailPercent: 0,
    });
  });

  it('reads one syntax for every flag, into the schema', () => {
    const { rollout, dryRun } = flagsOf(
      '--canary 1 --batches 10%,50%,100% --delay 2m --max-fail 5% --concurrency 10 --max-per rack=1 --by az --dry-run',
    );
    expect(dryRun).toBe(true);
    expect(rollout).toEqual({
      canary: 1,
      batches: ['10%', '50%', '100%'],
      soakMs: 120_000,
      maxFailPercent: 5,
      concurrency: 10,
      maxPer: { var: 'rack', n: 1 },
      by: 'az',
    });
    expect(RolloutParams.parse(rollout)).toEqual(rollout);
  });

  it('leaves unset flags unset, for the workflow’s own defaults', () => {
    expect(flagsOf('--by zone')).toEqual({ rollout: { by: 'zone' }, dryRun: false });
  });

  it.each([
    ['--max-per rack', '--max-per', '`rack` is not VAR=N'],
    ['--max-per rack=0', '--max-per', 'N must be a whole number of hosts of at least 1'],
    ['--max-per 9rack=1', '--max-per', 'VAR must be the name of an inventory var'],
    ['--by "a b"', '--by', 'must be the name of an inventory var'],
    ['--concurrency 600', '--concurrency', 'must be from 1 to 500 hosts at once'],
    ['--delay 25h', '--delay', 'longer than 24h'],
  ])('refuses %s naming the flag', (text, part, message) => {
    const r = refusal(text);
    expect(r.part).toBe(part);
    expect(r.message).toContain(message);
  });

  it('parses what the flags give to itself (params are parsed again on retries)', () => {
    const size = fc.oneof(
      fc.integer({ min: 1, max: 50 }).map(String),
      fc.integer({ min: 1, max: 100 }).map((n) => `${n}%`),
    );
    fc.assert(
      fc.property(
        fc.record(
          {
            canary: fc.oneof(fc.integer({ min: 0, max: 9 }).map(String), fc.constant('5%')),
            batches: fc.array(size, { minLength: 1, maxLength: 5 }).map((l) => l.join(',')),
            delay: fc.constantFrom('0', '30s', '5m', '1h30m'),
            concurrency: fc.integer({ min: 1, max: 500 }).map(String),
            'max-fail': fc.integer({ min: 0, max: 100 }).map((n) => `${n}%`),
            'max-per': fc
              .tuple(fc.constantFrom('rack', 'az', 'power_feed'), fc.integer({ min: 1, max: 9 }))
              .map(([v, n]) => `${v}=${n}`),
            by: fc.constantFrom('az', 'rack', 'region'),
          },
          { requiredKeys: [] },
        ),
        (flags) => {
          const text = Object.entries(flags)
            .map(([k, v]) => `--${k} ${v}`)
            .join(' ');
          const { rollout } = flagsOf(text);
          expect(Object.keys(rollout).length).toBe(Object.keys(flags).length);
          const params = RolloutParams.parse(rollout);
          expect(RolloutParams.parse(params)).toEqual(params);
        },
      ),
    );
  });

  it('turns params into the strategy; a dry run plans everything at once, keeping failure domains', () => {
    const params = RolloutParams.parse({
      canary: 2,
      batches: '10%,100%',
      soakMs: '1m',
      maxFailPercent: 5,
      maxPer: 'rack=1',
      by: 'az',
    });
    expect(rolloutStrategy(params, { dryRun: false })).toEqual({
      canary: 2,
      batches: ['10%', '100%'],
      concurrency: 5,
      soakMs: 60_000,
      maxFailPercentPerBatch: 5,
      maxFailPercentTotal: 5,
      maxPer: { var: 'rack', n: 1 },
      by: 'az',
    });
    expect(rolloutStrategy(params, { dryRun: true })).toMatchObject({
      canary: 0,
      batches: ['100%'],
      soakMs: 0,
      maxPer: { var: 'rack', n: 1 },
      by: 'az',
    });
  });
});
