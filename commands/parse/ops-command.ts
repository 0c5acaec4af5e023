import { parseArgs, type FlagSpec } from './args.js';
import { CommandInputError } from './command-input-error.js';
import { noMore, requiredValue, unknownSubcommand } from './positionals.js';
import { tokenize } from './tokenize.js';
import { RunId } from './values.js';
import { withUsage } from './with-usage.js';

/** One usage line per subcommand; `help` prints them all. */
export const OPS_USAGES = {
  runs: '/ops runs [--all]',
  status: '/ops status <run>',
  hold: '/ops hold <run>',
  resume: '/ops resume <run>',
  abort: '/ops abort <run> [--rollback|--keep]',
  retry: '/ops retry <run> --failed',
  locks: '/ops locks',
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
  locks: {},
  help: {},
};

export type OpsCommand =
  | { kind: 'help' }
  | { kind: 'runs'; all: boolean }
  | { kind: 'locks' }
  | { kind: 'status' | 'hold' | 'resume'; runId: string }
  /** `rollback` unset: the engine's default (the canary is rolled back at an approval gate, else nothing). */
  | { kind: 'abort'; runId: string; rollback?: boolean }
  | { kind: 'retry'; runId: string };

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
        return { kind: sub, runId };
      }
    }
  });
}
