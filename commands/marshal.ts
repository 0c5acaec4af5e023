import type { WorkflowCatalog } from '../src/kit/catalog.js';
import { parseMarshalCommand, type WorkflowCommand } from './parse/marshal-command.js';
import type { SlashCommand } from './support/slash-command.js';
import { startWorkflow } from './support/start-workflow.js';
import { catalogHelp, workflowHelp } from './support/workflow-help.js';

/** `/marshal run <workflow> …` and `/marshal help [<workflow>]`: every loaded workflow through one command. */
export function marshalCommand(catalog: WorkflowCatalog): SlashCommand<WorkflowCommand> {
  return {
    name: '/marshal',
    parse: (text) => parseMarshalCommand(catalog, text),
    run: (parsed, ctx) => runWorkflowCommand(catalog, parsed, ctx),
  };
}

/** Help, or a start of the workflow with the parsed params (access and replay checks in startWorkflow). */
export async function runWorkflowCommand(
  catalog: WorkflowCatalog,
  parsed: WorkflowCommand,
  ctx: Parameters<SlashCommand<WorkflowCommand>['run']>[1],
): Promise<void> {
  if (parsed.kind === 'help') {
    const one = parsed.workflow === undefined ? undefined : catalog.get(parsed.workflow);
    return ctx.reply(one ? workflowHelp(one) : catalogHelp(catalog));
  }
  await startWorkflow(ctx, { workflow: parsed.workflow, params: parsed.params, dryRun: parsed.dryRun });
}
