import { parseArgs, type FlagSpec } from './args.js';
import { CommandInputError } from './command-input-error.js';
import { noMore, requiredValue, unknownSubcommand } from './positionals.js';
import { tokenize } from './tokenize.js';
import { RunId } from './values.js';
import { withUsage } from './with-usage.js';
import { codeSpan } from './code-span.js';
import { readDuration } from '../../src/engine/rollout/duration.js';
import { isTimeZone } from '../../src/config/marshal-config.js';

/** One usage line per subcommand; `help` prints them all. */
export const OPS_USAGES = {
  runs: '/ops runs [--all]',
  status: '/ops status <run>',
  hold: '/ops hold <run>',
  resume: '/ops resume <run>',
  abort: '/ops abort <run> [--rollback|--keep]',
  retry: '/ops retry <run> --failed',
  rollback: '/ops rollback <run>',
  locks: '/ops locks',
  'stop-all': '/ops stop-all <reason>',
  freeze: '/ops freeze [<duration> <reason> | off]',
  schedule: '/ops schedule <id> "<cron>" [--tz <Area/City>] <workflow> <words…>',
  schedules: '/ops schedules [remove <id>]',
  help: '/ops help',
} as const;
export type OpsSubcommand = keyof typeof OPS_USAGES;
export const OPS_USAGE = `/ops ${Object.keys(OPS_USAGES).join('|')} …`;

const FLAGS: Record<OpsSubcommand, FlagSpec> = {
  runs: { all: 'boolean' },
  status: {},
  hold: {},
  resume: {},
  abort: { rollback: 'boolean', keep: 'boolean' },
  retry: { failed: 'boolean' },
  rollback: {},
  locks: {},
  'stop-all': {},
  freeze: {},
  schedule: {},
  schedules: {},
  help: {},
};

export type OpsCommand =
  | { kind: 'help' }
  | { kind: 'runs'; all: boolean }
  | { kind: 'locks' }
  | { kind: 'status' | 'hold' | 'resume'; runId: string }
  /** After a run finished with failures: restore the hosts it changed (Engine.rollback). */
  | { kind: 'rollback'; runId: string }
  /** `rollback` unset: the engine's default (the canary is rolled back at an approval gate, else nothing). */
  | { kind: 'abort'; runId: string; rollback?: boolean }
  | { kind: 'retry'; runId: string }
  | { kind: 'stop-all'; reason: string }
  | { kind: 'freeze'; set?: { durationMs: number; reason: string }; off: boolean }
  | { kind: 'schedule'; id: string; cron: string; timeZone: string; workflow: string; words: string[] }
  | { kind: 'schedules'; remove?: string };

const isSub = (s: string): s is OpsSubcommand => Object.hasOwn(OPS_USAGES, s);

/** `/ops status r-123`, `/ops abort r-123 --rollback`, `/ops retry r-123 --failed` … */
export function parseOpsCommand(text: string): OpsCommand {
  const words = withUsage(OPS_USAGE, () => tokenize(text));
  const sub = words[0] ?? 'help';
  if (!isSub(sub)) {
    throw unknownSubcommand(
      '/ops',
      sub,
      Object.keys(OPS_USAGES)
        .map((s) => `\`${s}\``)
        .join(', '),
    ).withUsage(OPS_USAGE);
  }
  return withUsage(OPS_USAGES[sub], () => {
    // Free text (reasons) and a workflow's own words (with its flags) are taken as typed.
    const fleetWide = parseFleetWide(sub, words.slice(1));
    if (fleetWide) return fleetWide;
    const { positionals, flags } = parseArgs(words.slice(1), FLAGS[sub]);
    switch (sub) {
      case 'help':
      case 'locks':
        noMore(positionals, 0);
        return { kind: sub };
      case 'runs':
        noMore(positionals, 0);
        return { kind: 'runs', all: flags.get('all') === true };
      default: {
        const runId = requiredValue(positionals, 0, RunId, '<run>');
        noMore(positionals, 1);
        if (sub === 'abort') {
          const rollback = flags.get('rollback') === true;
          const keep = flags.get('keep') === true;
          if (rollback && keep)
            throw new CommandInputError(
              '--keep',
              'contradicts --rollback',
              'one of `--rollback` (undo the changed hosts) or `--keep` (leave them changed)',
            );
          return {
            kind: 'abort',
            runId,
            ...(rollback ? { rollback: true } : keep ? { rollback: false } : {}),
          };
        }
        if (sub === 'retry') {
          if (flags.get('failed') !== true) {
            throw new CommandInputError(
              '--failed',
              'is missing',
              '`--failed`: only the failed targets of a run can be retried',
            );
          }
          return { kind: 'retry', runId };
        }
        if (sub === 'status' || sub === 'hold' || sub === 'resume' || sub === 'rollback')
          return { kind: sub, runId };
        throw new Error(`unreachable: /ops ${sub}`);
      }
    }
  });
}

const SCHEDULE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

function parseFleetWide(sub: OpsSubcommand, rest: string[]): OpsCommand | undefined {
  switch (sub) {
    case 'stop-all': {
      const reason = rest.join(' ').trim();
      if (!reason)
        throw new CommandInputError(
          '<reason>',
          'is missing',
          'say why every run is held, e.g. `db incident`',
        );
      return { kind: 'stop-all', reason };
    }
    case 'freeze': {
      if (rest.length === 0) return { kind: 'freeze', off: false };
      if (rest.length === 1 && rest[0] === 'off') return { kind: 'freeze', off: true };
      const durationMs = readDuration(rest[0]!);
      if (durationMs === undefined || durationMs < 60_000 || durationMs > 30 * 24 * 3_600_000)
        throw new CommandInputError(
          '<duration>',
          `${codeSpan(rest[0]!)} is not a duration from 1m to 720h`,
          'e.g. `30m`, `4h`, `48h`, `1h30m`',
        );
      const reason = rest.slice(1).join(' ').trim();
      if (!reason) throw new CommandInputError('<reason>', 'is missing', 'say why changes are frozen');
      return { kind: 'freeze', set: { durationMs, reason }, off: false };
    }
    case 'schedules': {
      if (rest.length === 0) return { kind: 'schedules' };
      if (rest[0] === 'remove' && rest.length === 2 && SCHEDULE_ID.test(rest[1]!))
        return { kind: 'schedules', remove: rest[1]! };
      throw new CommandInputError(
        'arguments',
        `unexpected ${codeSpan(rest.join(' '))}`,
        '`remove <id>` or nothing',
      );
    }
    case 'schedule': {
      const [id, cron, ...more] = rest;
      if (!id || !SCHEDULE_ID.test(id))
        throw new CommandInputError(
          '<id>',
          id ? `${codeSpan(id)} is not a schedule id` : 'is missing',
          'lower-case letters, digits and -, e.g. `nightly-web`',
        );
      if (!cron || cron.trim().split(/\s+/).length < 5)
        throw new CommandInputError(
          '<cron>',
          cron ? `${codeSpan(cron)} is not a cron pattern` : 'is missing',
          'a quoted cron pattern of 5 fields (6 with seconds), e.g. `"0 3 * * 1-5"`',
        );
      let timeZone = 'UTC';
      let words = more;
      if (words[0] === '--tz') {
        const tz = words[1];
        if (!tz || !isTimeZone(tz))
          throw new CommandInputError(
            '--tz',
            tz ? `${codeSpan(tz)} is not a time zone` : 'is missing its value',
            'an IANA time zone such as `Europe/Berlin` or `UTC`',
          );
        timeZone = tz;
        words = words.slice(2);
      }
      const [workflow, ...args] = words;
      if (!workflow)
        throw new CommandInputError(
          '<workflow>',
          'is missing',
          'a workflow name, then its words as after `/marshal run <workflow>`',
        );
      return { kind: 'schedule', id, cron: cron.trim(), timeZone, workflow, words: args };
    }
    default:
      return undefined;
  }
}
