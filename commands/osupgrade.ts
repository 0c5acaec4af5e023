import { OSUPGRADE_USAGE, parseOsUpgradeCommand, type OsUpgradeCommand } from './parse/osupgrade-command.js';
import type { SlashCommand } from './support/slash-command.js';
import { startWorkflow } from './support/start-workflow.js';

/** `/osupgrade <selector> …`: patches operating systems with workflow `os-upgrade`. */
export const osUpgradeCommand: SlashCommand<OsUpgradeCommand> = {
  name: '/osupgrade',
  parse: parseOsUpgradeCommand,
  async run(parsed, ctx) {
    if (parsed.kind === 'help') return ctx.reply(`Usage: \`${OSUPGRADE_USAGE}\``);
    await startWorkflow(ctx, {
      workflow: 'os-upgrade',
      params: { selector: parsed.selector, ...parsed.rollout },
      dryRun: parsed.dryRun,
    });
  },
};
