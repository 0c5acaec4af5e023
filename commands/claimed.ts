import type { LoadedWorkflow, WorkflowCatalog } from '../src/kit/catalog.js';
import { runWorkflowCommand } from './marshal.js';
import { parseClaimedCommand, type WorkflowCommand } from './parse/marshal-command.js';
import type { SlashCommand } from './support/slash-command.js';
import { workflowHelp } from './support/workflow-help.js';

/** A slash command workflows claimed (`/config push …`, `/drdrill …`), routed to its workflow. */
export function claimedCommand(
  catalog: WorkflowCatalog,
  name: `/${string}`,
  claimants: readonly LoadedWorkflow[],
): SlashCommand<WorkflowCommand> {
  return {
    name,
    parse: (text) => parseClaimedCommand(name, claimants, text),
    async run(parsed, ctx) {
      if (parsed.kind === 'help') return ctx.reply(claimants.map(workflowHelp).join('\n\n'));
      await runWorkflowCommand(catalog, parsed, ctx);
    },
  };
}
