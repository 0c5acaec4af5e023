import { DRDRILL_USAGE, parseDrDrillCommand, type DrDrillCommand } from './parse/drdrill-command.js';
import type { SlashCommand } from './support/slash-command.js';
import { startWorkflow } from './support/start-workflow.js';

/** `/drdrill start <scenario>`: runs a disaster-recovery drill with workflow `dr-drill`. */
export const drDrillCommand: SlashCommand<DrDrillCommand> = {
  name: '/drdrill',
  parse: parseDrDrillCommand,
  async run(parsed, ctx) {
    if (parsed.kind === 'help') return ctx.reply(`Usage: \`${DRDRILL_USAGE}\``);
    await startWorkflow(ctx, {
      workflow: 'dr-drill',
      params: { scenario: parsed.scenario },
      dryRun: parsed.dryRun,
    });
  },
};
