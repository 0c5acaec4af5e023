import { parseArgs } from './args.js';
import { noMore, requiredValue, unknownSubcommand } from './positionals.js';
import { parseRolloutFlags, ROLLOUT_FLAGS, ROLLOUT_USAGE, type RolloutOverrides } from './rollout-flags.js';
import { tokenize } from './tokenize.js';
import { Selector } from './values.js';
import { withUsage } from './with-usage.js';

export const CERT_USAGE = `/cert renew <selector> ${ROLLOUT_USAGE}`;

export type CertCommand =
  { kind: 'help' } | { kind: 'renew'; selector: string; rollout: RolloutOverrides; dryRun: boolean };

/** `/cert renew role=lb --canary 1 --dry-run` */
export function parseCertCommand(text: string): CertCommand {
  return withUsage(CERT_USAGE, () => {
    const { positionals, flags } = parseArgs(tokenize(text), ROLLOUT_FLAGS);
    const sub = positionals[0];
    if ((sub === undefined || sub === 'help') && flags.size === 0) return { kind: 'help' };
    if (sub !== 'renew') {
      throw unknownSubcommand('/cert', sub, '`renew` or `help`');
    }
    const selector = requiredValue(positionals, 1, Selector, '<selector>');
    noMore(positionals, 2);
    return { kind: 'renew', selector, ...parseRolloutFlags(flags) };
  });
}
