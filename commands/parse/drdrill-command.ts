import { parseArgs } from './args.js';
import { noMore, requiredValue, unknownSubcommand } from './positionals.js';
import { tokenize } from './tokenize.js';
import { Scenario } from './values.js';
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
      throw unknownSubcommand('/drdrill', sub, '`start` or `help`');
    }
    const scenario = requiredValue(positionals, 1, Scenario, '<scenario>');
    noMore(positionals, 2);
    return { kind: 'start', scenario, dryRun: flags.get('dry-run') === true };
  });
}
