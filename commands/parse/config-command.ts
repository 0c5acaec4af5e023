import { parseArgs } from './args.js';
import { codeSpan } from './code-span.js';
import { CommandInputError } from './command-input-error.js';
import { noMore, required, requiredValue, unknownSubcommand } from './positionals.js';
import { parseRolloutFlags, ROLLOUT_FLAGS, ROLLOUT_USAGE, type RolloutOverrides } from './rollout-flags.js';
import { tokenize } from './tokenize.js';
import { Bundle, Selector } from './values.js';
import { withUsage } from './with-usage.js';

export const CONFIG_USAGE = `/config push <bundle> to <selector> ${ROLLOUT_USAGE}`;

export type ConfigCommand =
  | { kind: 'help' }
  | { kind: 'push'; bundle: string; selector: string; rollout: RolloutOverrides; dryRun: boolean };

/** `/config push nginx-base to role=web --canary 2 --batches 10%,100% --delay 30s --dry-run` */
export function parseConfigCommand(text: string): ConfigCommand {
  return withUsage(CONFIG_USAGE, () => {
    const { positionals, flags } = parseArgs(tokenize(text), ROLLOUT_FLAGS);
    const sub = positionals[0];
    if (sub === undefined || sub === 'help') {
      if (flags.size > 0) throw unknownSubcommand('/config', undefined, '`push` or `help`');
      return { kind: 'help' };
    }
    if (sub !== 'push') {
      throw unknownSubcommand('/config', sub, '`push` or `help`');
    }
    const bundle = requiredValue(positionals, 1, Bundle, '<bundle>');
    const to = required(positionals, 2, '`to`', 'the word `to` between the bundle and the selector');
    if (to !== 'to')
      throw new CommandInputError(
        '`to`',
        `found ${codeSpan(to)} instead`,
        'the word `to` between the bundle and the selector',
      );
    const selector = requiredValue(positionals, 3, Selector, '<selector>');
    noMore(positionals, 4);
    return { kind: 'push', bundle, selector, ...parseRolloutFlags(flags) };
  });
}
