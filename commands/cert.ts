import { CERT_USAGE, parseCertCommand, type CertCommand } from './parse/cert-command.js';
import type { SlashCommand } from './support/slash-command.js';
import { startWorkflow } from './support/start-workflow.js';

/** `/cert renew <selector> …`: renews TLS certificates with workflow `cert-renew`. */
export const certCommand: SlashCommand<CertCommand> = {
  name: '/cert',
  parse: parseCertCommand,
  async run(parsed, ctx) {
    if (parsed.kind === 'help') return ctx.reply(`Usage: \`${CERT_USAGE}\``);
    await startWorkflow(ctx, {
      workflow: 'cert-renew',
      params: { selector: parsed.selector, ...parsed.rollout },
      dryRun: parsed.dryRun,
    });
  },
};
