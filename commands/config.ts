import { CONFIG_USAGE, parseConfigCommand, type ConfigCommand } from './parse/config-command.js';
import type { SlashCommand } from './support/slash-command.js';
import { startWorkflow } from './support/start-workflow.js';

/** `/config push <bundle> to <selector> …`: distributes a configuration bundle with workflow `config-push`. */
export const configCommand: SlashCommand<ConfigCommand> = {
  name: '/config',
  parse: parseConfigCommand,
  async run(parsed, ctx) {
    if (parsed.kind === 'help') return ctx.reply(`Usage: \`${CONFIG_USAGE}\``);
    await startWorkflow(ctx, {
      workflow: 'config-push',
      params: { bundle: parsed.bundle, selector: parsed.selector, ...parsed.rollout },
      dryRun: parsed.dryRun,
    });
  },
};
