import { parseArgs } from './args.js';
import { CommandInputError } from './command-input-error.js';
import { noMore, required } from './positionals.js';
import { parseRolloutFlags, ROLLOUT_FLAGS, ROLLOUT_USAGE, type RolloutOverrides } from './rollout-flags.js';
import { tokenize } from './tokenize.js';
import { Bundle, parseValue, Selector } from './values.js';
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
      if (flags.size > 0) throw new CommandInputError('subcommand', 'is missing', '`push` or `help`');
      return { kind: 'help' };
    }
    if (sub !== 'push') {
      throw new CommandInputError(
        'subcommand',
        `\`${sub.replace(/`/g, "'")}\` is not a /config subcommand`,
        '`push` or `help`',
      );
    }
    const bundle = parseValue(Bundle, required(positionals, 1, '<bundle>', Bundle.allowed), '<bundle>');
    const to = required(positionals, 2, '`to`', 'the word `to` between the bundle and the selector');
    if (to !== 'to')
      throw new CommandInputError(
        '`to`',
        `found \`${to.replace(/`/g, "'")}\` instead`,
        'the word `to` between the bundle and the selector',
      );
    const selector = parseValue(
      Selector,
      required(positionals, 3, '<selector>', Selector.allowed),
      '<selector>',
    );
    noMore(positionals, 4);
    return { kind: 'push', bundle, selector, ...parseRolloutFlags(flags) };
  });
}
