import { parseArgs } from './args.js';
import { CommandInputError } from './command-input-error.js';
import { noMore, required } from './positionals.js';
import { tokenize } from './tokenize.js';
import { parseValue, Scenario } from './values.js';
import { withUsage } from './with-usage.js';

export const DRDRILL_USAGE = '/drdrill start <scenario> [--dry-run]';

export type DrDrillCommand = { kind: 'help' } | { kind: 'start'; scenario: string; dryRun: boolean };

/** `/drdrill start db-failover --dry-run` */
export function parseDrDrillCommand(text: string): DrDrillCommand {
  return withUsage(DRDRILL_USAGE, () => {
    const { positionals, flags } = parseArgs(tokenize(text), { 'dry-run': 'boolean' });
    const sub = positionals[0];
    if ((sub === undefined || sub === 'help') && flags.size === 0) return { kind: 'help' };
    if (sub !== 'start') {
      throw new CommandInputError(
        'subcommand',
        sub === undefined ? 'is missing' : `\`${sub.replace(/`/g, "'")}\` is not a /drdrill subcommand`,
        '`start` or `help`',
      );
    }
    const scenario = parseValue(
      Scenario,
      required(positionals, 1, '<scenario>', Scenario.allowed),
      '<scenario>',
    );
    noMore(positionals, 2);
    return { kind: 'start', scenario, dryRun: flags.get('dry-run') === true };
  });
}
