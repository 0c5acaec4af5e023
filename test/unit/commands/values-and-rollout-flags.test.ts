import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../commands/parse/args.js';
import { CommandInputError } from '../../../commands/parse/command-input-error.js';
import { parseRolloutFlags, ROLLOUT_FLAGS, ROLLOUT_USAGE } from '../../../commands/parse/rollout-flags.js';
import {
  ApprovalTimeout,
  Bundle,
  MaxFail,
  MaxPer,
  parseValue,
  Scenario,
  Selector,
} from '../../../commands/parse/values.js';
import { thrownBy } from '../../support/refusal.js';

// The word kinds slash commands share and the rollout flags, read as an operator types them: what
// each takes at its edges, and the exact refusal (part, problem, allowed) of what it does not.

const rollout = (text: string) => parseRolloutFlags(parseArgs(text.split(' '), ROLLOUT_FLAGS).flags);

describe('word kinds', () => {
  it.each([
    [
      Bundle,
      ['nginx-base', 'nginx-base@v12', 'A', `a${'b'.repeat(99)}`],
      ['', '-x', '.x', 'a/b', 'a b', `a${'b'.repeat(100)}`],
    ],
    [Scenario, ['db-failover', '0', `a${'b'.repeat(63)}`], ['', '-x', 'Db', 'a_b', `a${'b'.repeat(64)}`]],
    [
      Selector,
      ['role=web', 'env=prod role=web', 'x'.repeat(200)],
      ['', 'x'.repeat(201), 'a`b', 'a\nb', '\tx'],
    ],
  ])('%# takes its words and refuses others', (kind, good, bad) => {
    for (const word of good) expect(parseValue(kind, word, '<w>')).toBe(word);
    for (const word of bad)
      expect(thrownBy(CommandInputError, () => parseValue(kind, word, '<w>')).allowed).toBe(kind.allowed);
  });

  it('names the part, quotes the word and says what is allowed', () => {
    expect(thrownBy(CommandInputError, () => parseValue(Bundle, 'a/b', '<bundle>'))).toMatchObject({
      part: '<bundle>',
      problem: '`a/b` is not a bundle name',
      allowed:
        'a bundle name from the bundle store, e.g. nginx-base or nginx-base@v12 (letters, digits, . _ @ -)',
    });
    expect(thrownBy(CommandInputError, () => parseValue(Scenario, 'Db', '<scenario>'))).toMatchObject({
      problem: '`Db` is not a scenario name',
      allowed: 'a DR scenario name, e.g. db-failover (lower-case letters, digits, -)',
    });
    expect(thrownBy(CommandInputError, () => parseValue(Selector, '', '<selector>'))).toMatchObject({
      problem: '`` is empty, too long or has control characters',
      allowed:
        'an inventory selector such as `role=web`, `web-0*` or `env=prod,role=db` (quote it if it has spaces)',
    });
  });

  it('reads an approval timeout from 1m to 7 days', () => {
    expect(parseValue(ApprovalTimeout, '45m', '--approval-timeout')).toBe(45 * 60_000);
    expect(parseValue(ApprovalTimeout, '168h', '--approval-timeout')).toBe(7 * 24 * 3_600_000);
    expect(
      thrownBy(CommandInputError, () => parseValue(ApprovalTimeout, '169h', '--approval-timeout')),
    ).toMatchObject({
      part: '--approval-timeout',
      problem: '`169h` is longer than 7 days',
      allowed: 'a duration such as 10m, 2h or 1d (at least 1m, at most 7 days)',
    });
    expect(
      thrownBy(CommandInputError, () => parseValue(ApprovalTimeout, '45', '--approval-timeout')).problem,
    ).toBe('`45` is not a duration with a unit');
  });

  it('reads --max-fail from 0% to 100%', () => {
    expect(parseValue(MaxFail, '0%', '--max-fail')).toBe(0);
    expect(parseValue(MaxFail, '100%', '--max-fail')).toBe(100);
    expect(thrownBy(CommandInputError, () => parseValue(MaxFail, '100.5%', '--max-fail')).problem).toBe(
      '`100.5%` is more than 100%',
    );
    expect(thrownBy(CommandInputError, () => parseValue(MaxFail, 'half', '--max-fail')).problem).toBe(
      '`half` is not a percentage',
    );
  });

  it('reads --max-per VAR=N, naming the half that is wrong', () => {
    expect(parseValue(MaxPer, 'rack=1', '--max-per')).toEqual({ var: 'rack', n: 1 });
    expect(parseValue(MaxPer, 'rack=9999', '--max-per')).toEqual({ var: 'rack', n: 9999 });
    for (const word of ['rack', 'rack=', '=1', 'rack=12345', 'x rack=1', 'rack=1x', 'a=b=1'])
      expect(thrownBy(CommandInputError, () => parseValue(MaxPer, word, '--max-per')).problem).toBe(
        `\`${word}\` is not VAR=N`,
      );
    expect(thrownBy(CommandInputError, () => parseValue(MaxPer, 'rack=0', '--max-per'))).toMatchObject({
      problem: '`rack=0` N must be a whole number of hosts of at least 1',
      allowed: 'VAR=N: at most N hosts sharing a value of inventory var VAR at once, e.g. rack=1',
    });
    expect(thrownBy(CommandInputError, () => parseValue(MaxPer, '1rack=1', '--max-per')).problem).toMatch(
      /^`1rack=1` VAR must be the name of an inventory var/,
    );
  });
});

describe('rollout flags', () => {
  it('reads every flag into its param, and only the flags given', () => {
    expect(
      rollout(
        '--canary 1 --batches 1,50% --delay 1m --concurrency 3 --max-fail 5% --max-per rack=2 --by az --approval-timeout 2h --dry-run',
      ),
    ).toStrictEqual({
      rollout: {
        canary: 1,
        batches: [1, '50%'],
        soakMs: 60_000,
        concurrency: 3,
        maxFailPercent: 5,
        maxPer: { var: 'rack', n: 2 },
        by: 'az',
        approvalTimeoutMs: 2 * 3_600_000,
      },
      dryRun: true,
    });
    expect(rollout('--by rack')).toStrictEqual({ rollout: { by: 'rack' }, dryRun: false });
  });

  it("refuses a value the engine's limits refuse, naming the flag and quoting the word", () => {
    expect(thrownBy(CommandInputError, () => rollout('--concurrency 501'))).toMatchObject({
      part: '--concurrency',
      problem: '`501` must be from 1 to 500 hosts at once',
      allowed: 'a whole number of hosts worked on at once, e.g. 5',
    });
  });

  it('refuses a --by that is not a var name', () => {
    expect(thrownBy(CommandInputError, () => rollout('--by 9az'))).toMatchObject({
      part: '--by',
      allowed: 'the name of an inventory var whose values the batches walk one at a time, e.g. az or rack',
    });
  });

  it('shows every rollout flag in the usage line', () => {
    expect(ROLLOUT_USAGE).toBe(
      '[--canary N|N%] [--batches 1,10%,50%,100%] [--delay 30s] [--concurrency N] [--max-fail N%] ' +
        '[--max-per VAR=N] [--by VAR] [--approval-timeout 30m] [--dry-run]',
    );
  });
});
