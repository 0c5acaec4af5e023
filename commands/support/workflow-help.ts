import type { LoadedWorkflow, WorkflowCatalog } from '../../src/kit/catalog.js';
import { claimedUsage, marshalRunUsage } from '../parse/marshal-command.js';
import { workflowHelpLines } from '../parse/workflow-command.js';

/** `/marshal help`: every workflow, its summary and how to start it. */
export function catalogHelp(catalog: WorkflowCatalog): string {
  const lines = ['*Workflows* (`/marshal help <workflow>` for one in detail)'];
  for (const w of catalog.list()) {
    lines.push(`• *${w.module.name}*: ${w.module.summary}`, `    \`${marshalRunUsage(w)}\``);
    if (w.module.slashCommand) lines.push(`    \`${claimedUsage(w)}\``);
  }
  return lines.join('\n');
}

/** `/marshal help <workflow>`: its summary, usage lines and what each word and flag means. */
export function workflowHelp(w: LoadedWorkflow): string {
  return [
    `*${w.module.name}*: ${w.module.summary}`,
    `\`${marshalRunUsage(w)}\``,
    ...(w.module.slashCommand ? [`\`${claimedUsage(w)}\``] : []),
    ...workflowHelpLines(w.module).map((l) => `• ${l}`),
  ].join('\n');
}
