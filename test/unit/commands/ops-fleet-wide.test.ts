import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandInputError } from '../../../commands/parse/command-input-error.js';
import { OPS_USAGE, OPS_USAGES, parseOpsCommand } from '../../../commands/parse/ops-command.js';
import { thrownBy } from '../../support/refusal.js';

// The /ops subcommands that act on the whole fleet (stop-all, freeze, schedule, schedules) and the
// refusals of the per-run ones the Slack tests do not reach: each refusal names the part, says what
// was wrong and what is allowed, and carries the subcommand's own usage line.

const refusal = (text: string): CommandInputError => thrownBy(CommandInputError, () => parseOpsCommand(text));

const HOUR = 3_600_000;

describe('/ops help and the subcommand list', () => {
  it('lists every subcommand in the usage line, in order', () => {
    expect(OPS_USAGE).toBe(
      '/ops runs|status|hold|resume|abort|retry|rollback|locks|stop-all|freeze|schedule|schedules|help …',
    );
  });

  it('refuses an unknown subcommand listing every known one, with the general usage line', () => {
    const err = refusal('reboot');
    expect(err).toMatchObject({
      part: 'subcommand',
      problem: '`reboot` is not an /ops subcommand',
      usage: OPS_USAGE,
    });
    expect(err.allowed).toBe(
      '`runs`, `status`, `hold`, `resume`, `abort`, `retry`, `rollback`, `locks`, `stop-all`, `freeze`, `schedule`, `schedules`, `help`',
    );
  });

  it('does not take inherited object keys for subcommands', () => {
    expect(refusal('toString')).toMatchObject({ part: 'subcommand', usage: OPS_USAGE });
    expect(refusal('constructor')).toMatchObject({ part: 'subcommand' });
  });

  it('refuses words after help and runs with their own usage line', () => {
    expect(refusal('help me')).toMatchObject({
      part: 'arguments',
      problem: 'unexpected `me`',
      usage: OPS_USAGES.help,
    });
    expect(refusal('runs r-1')).toMatchObject({ part: 'arguments', usage: OPS_USAGES.runs });
    expect(refusal('runs --failed')).toMatchObject({ part: '--failed', usage: OPS_USAGES.runs });
  });

  it('refuses an unclosed quote with the general usage line', () => {
    expect(refusal('stop-all "db down')).toMatchObject({ usage: OPS_USAGE });
  });

  it('reads runs without --all as not all', () => {
    expect(parseOpsCommand('runs')).toStrictEqual({ kind: 'runs', all: false });
  });
});

describe('/ops per-run subcommands', () => {
  it.each(['status', 'hold', 'resume'] as const)('%s takes one run id and no flags', (sub) => {
    expect(parseOpsCommand(`${sub} r-9.a_b:c`)).toStrictEqual({ kind: sub, runId: 'r-9.a_b:c' });
    expect(refusal(sub)).toMatchObject({ part: '<run>', problem: 'is missing', usage: OPS_USAGES[sub] });
  });

  it('abort with neither flag leaves the rollback to the engine', () => {
    expect(parseOpsCommand('abort r-1')).toStrictEqual({ kind: 'abort', runId: 'r-1' });
  });

  it('refuses abort with both --rollback and --keep', () => {
    expect(refusal('abort r-1 --rollback --keep')).toMatchObject({
      part: '--keep',
      problem: 'contradicts --rollback',
      allowed: 'one of `--rollback` (undo the changed hosts) or `--keep` (leave them changed)',
      usage: OPS_USAGES.abort,
    });
  });

  it('refuses retry without --failed, saying only failed targets can be retried', () => {
    expect(refusal('retry r-1')).toMatchObject({
      part: '--failed',
      problem: 'is missing',
      allowed: '`--failed`: only the failed targets of a run can be retried',
      usage: OPS_USAGES.retry,
    });
    expect(parseOpsCommand('retry r-1 --failed')).toStrictEqual({ kind: 'retry', runId: 'r-1' });
  });

  it('refuses a run id that is too long or starts with punctuation', () => {
    expect(parseOpsCommand(`status r${'1'.repeat(79)}`)).toMatchObject({ kind: 'status' });
    expect(refusal(`status r${'1'.repeat(80)}`)).toMatchObject({ part: '<run>' });
    expect(refusal('status -r1')).toMatchObject({ part: '<run>', problem: '`-r1` is not a run id' });
    expect(refusal('status .r1')).toMatchObject({ part: '<run>', problem: '`.r1` is not a run id' });
  });
});

describe('/ops stop-all', () => {
  it('takes the rest of the words as the reason, as typed', () => {
    expect(parseOpsCommand('stop-all db incident --now')).toStrictEqual({
      kind: 'stop-all',
      reason: 'db incident --now',
    });
    expect(parseOpsCommand('stop-all "  db  down "')).toStrictEqual({ kind: 'stop-all', reason: 'db  down' });
  });

  it.each(['stop-all', 'stop-all "   "'])('refuses %j: the reason is missing', (text) => {
    expect(refusal(text)).toMatchObject({
      part: '<reason>',
      problem: 'is missing',
      allowed: 'say why every run is held, e.g. `db incident`',
      usage: OPS_USAGES['stop-all'],
    });
  });
});

describe('/ops freeze', () => {
  it('with no words shows the freeze; `off` lifts it', () => {
    expect(parseOpsCommand('freeze')).toStrictEqual({ kind: 'freeze', off: false });
    expect(parseOpsCommand('freeze off')).toStrictEqual({ kind: 'freeze', off: true });
  });

  it('sets a freeze for a duration with a reason', () => {
    expect(parseOpsCommand('freeze 1h30m release week --all')).toStrictEqual({
      kind: 'freeze',
      set: { durationMs: 1.5 * HOUR, reason: 'release week --all' },
      off: false,
    });
  });

  it('takes 1m and 720h, the two ends of the range', () => {
    expect(parseOpsCommand('freeze 1m x')).toMatchObject({ set: { durationMs: 60_000 } });
    expect(parseOpsCommand('freeze 720h x')).toMatchObject({ set: { durationMs: 720 * HOUR } });
  });

  it.each(['59s', '59999ms', '721h', '720h1ms', 'soon', '0', 'off'])('refuses the duration %j', (word) => {
    expect(refusal(`freeze ${word} why`)).toMatchObject({
      part: '<duration>',
      problem: `\`${word}\` is not a duration from 1m to 720h`,
      allowed: 'e.g. `30m`, `4h`, `48h`, `1h30m`',
      usage: OPS_USAGES.freeze,
    });
  });

  it.each(['freeze 4h', 'freeze 4h "  "'])('refuses %j: the reason is missing', (text) => {
    expect(refusal(text)).toMatchObject({
      part: '<reason>',
      problem: 'is missing',
      allowed: 'say why changes are frozen',
      usage: OPS_USAGES.freeze,
    });
  });

  it('any whole number of minutes from 1 to 43200 is a freeze of that length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 43_200 }), (minutes) => {
        const got = parseOpsCommand(`freeze ${minutes}m because`);
        expect(got).toStrictEqual({
          kind: 'freeze',
          set: { durationMs: minutes * 60_000, reason: 'because' },
          off: false,
        });
      }),
    );
  });
});

describe('/ops schedules', () => {
  it('lists with no words; removes one id', () => {
    expect(parseOpsCommand('schedules')).toStrictEqual({ kind: 'schedules' });
    expect(parseOpsCommand('schedules remove nightly-web')).toStrictEqual({
      kind: 'schedules',
      remove: 'nightly-web',
    });
  });

  it.each([
    ['schedules remove', 'remove'],
    ['schedules remove a b', 'remove a b'],
    ['schedules delete a', 'delete a'],
    ['schedules remove Nightly', 'remove Nightly'],
    ['schedules a', 'a'],
  ])('refuses %j', (text, shown) => {
    expect(refusal(text)).toMatchObject({
      part: 'arguments',
      problem: `unexpected \`${shown}\``,
      allowed: '`remove <id>` or nothing',
      usage: OPS_USAGES.schedules,
    });
  });
});

describe('/ops schedule', () => {
  it('reads id, cron, workflow and its words; the time zone defaults to UTC', () => {
    expect(
      parseOpsCommand('schedule nightly " 0 3 * * 1-5 " config-push web to role=web --canary 1'),
    ).toStrictEqual({
      kind: 'schedule',
      id: 'nightly',
      cron: '0 3 * * 1-5',
      timeZone: 'UTC',
      workflow: 'config-push',
      words: ['web', 'to', 'role=web', '--canary', '1'],
    });
  });

  it('takes --tz before the workflow, and a 6-field cron', () => {
    expect(parseOpsCommand('schedule a-1 "0 0 3 * * *" --tz Europe/Berlin drill')).toStrictEqual({
      kind: 'schedule',
      id: 'a-1',
      cron: '0 0 3 * * *',
      timeZone: 'Europe/Berlin',
      workflow: 'drill',
      words: [],
    });
  });

  it('takes an id of 63 characters, not 64', () => {
    const id = `a${'b'.repeat(62)}`;
    expect(parseOpsCommand(`schedule ${id} "* * * * *" w`)).toMatchObject({ id });
    expect(refusal(`schedule ${id}b "* * * * *" w`)).toMatchObject({ part: '<id>' });
  });

  it.each([
    ['schedule', 'is missing'],
    ['schedule Nightly "* * * * *" w', '`Nightly` is not a schedule id'],
    ['schedule -x "* * * * *" w', '`-x` is not a schedule id'],
    ['schedule x_y "* * * * *" w', '`x_y` is not a schedule id'],
  ])('refuses the id in %j', (text, problem) => {
    expect(refusal(text)).toMatchObject({
      part: '<id>',
      problem,
      allowed: 'lower-case letters, digits and -, e.g. `nightly-web`',
      usage: OPS_USAGES.schedule,
    });
  });

  it.each([
    ['schedule nightly', 'is missing'],
    ['schedule nightly "0 3 * *" w', '`0 3 * *` is not a cron pattern'],
    ['schedule nightly daily w', '`daily` is not a cron pattern'],
  ])('refuses the cron in %j', (text, problem) => {
    expect(refusal(text)).toMatchObject({
      part: '<cron>',
      problem,
      allowed: 'a quoted cron pattern of 5 fields (6 with seconds), e.g. `"0 3 * * 1-5"`',
      usage: OPS_USAGES.schedule,
    });
  });

  it.each([
    ['schedule n "* * * * *" --tz', 'is missing its value'],
    ['schedule n "* * * * *" --tz Mars/Olympus w', '`Mars/Olympus` is not a time zone'],
  ])('refuses the time zone in %j', (text, problem) => {
    expect(refusal(text)).toMatchObject({
      part: '--tz',
      problem,
      allowed: 'an IANA time zone such as `Europe/Berlin` or `UTC`',
      usage: OPS_USAGES.schedule,
    });
  });

  it.each(['schedule n "* * * * *"', 'schedule n "* * * * *" --tz UTC'])(
    'refuses %j: the workflow is missing',
    (text) => {
      expect(refusal(text)).toMatchObject({
        part: '<workflow>',
        problem: 'is missing',
        allowed: 'a workflow name, then its words as after `/marshal run <workflow>`',
        usage: OPS_USAGES.schedule,
      });
    },
  );

  it('--tz is only read right after the cron: later it is one of the workflow words', () => {
    expect(parseOpsCommand('schedule n "* * * * *" w --tz Europe/Paris')).toMatchObject({
      timeZone: 'UTC',
      workflow: 'w',
      words: ['--tz', 'Europe/Paris'],
    });
  });
});
