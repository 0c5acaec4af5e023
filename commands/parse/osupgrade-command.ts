import { parseArgs } from './args.js';
import { noMore } from './positionals.js';
import { parseRolloutFlags, ROLLOUT_FLAGS, ROLLOUT_USAGE, type RolloutOverrides } from './rollout-flags.js';
import { tokenize } from './tokenize.js';
import { parseValue, Selector } from './values.js';
import { withUsage } from './with-usage.js';

export const OSUPGRADE_USAGE = `/osupgrade <selector> ${ROLLOUT_USAGE}`;

export type OsUpgradeCommand =
  { kind: 'help' } | { kind: 'upgrade'; selector: string; rollout: RolloutOverrides; dryRun: boolean };

/** `/osupgrade role=db --canary 1 --batches 25%,100% --delay 10m` */
export function parseOsUpgradeCommand(text: string): OsUpgradeCommand {
  return withUsage(OSUPGRADE_USAGE, () => {
    const { positionals, flags } = parseArgs(tokenize(text), ROLLOUT_FLAGS);
    const first = positionals[0];
    if ((first === undefined || first === 'help') && flags.size === 0) return { kind: 'help' };
    const selector = parseValue(Selector, first ?? '', '<selector>');
    noMore(positionals, 1);
    return { kind: 'upgrade', selector, ...parseRolloutFlags(flags) };
  });
}
