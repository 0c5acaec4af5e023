import type { LoadedWorkflow, WorkflowCatalog } from '../../src/kit/catalog.js';
import { escapeMrkdwn } from '../../src/slack/blocks/index.js';
import { claimedUsage, marshalRunUsage } from '../parse/marshal-command.js';
import { workflowHelpLines } from '../parse/workflow-command.js';

// Usage lines hold `<placeholders>`, which Slack would read as links: every text is escaped.
const code = (text: string): string => `\`${escapeMrkdwn(text)}\``;

/** `/marshal help`: every workflow, its summary and how to start it. */
export function catalogHelp(catalog: WorkflowCatalog): string {
  const lines = [`*Workflows* (${code('/marshal help <workflow>')} for one in detail)`];
  for (const w of catalog.list()) {
    lines.push(`• *${w.module.name}*: ${escapeMrkdwn(w.module.summary)}`, `    ${code(marshalRunUsage(w))}`);
    if (w.module.slashCommand) lines.push(`    ${code(claimedUsage(w))}`);
  }
  return lines.join('\n');
}

/** `/marshal help <workflow>`: its summary, usage lines and what each word and flag means. */
export function workflowHelp(w: LoadedWorkflow): string {
  return [
    `*${w.module.name}*: ${escapeMrkdwn(w.module.summary)}`,
    code(marshalRunUsage(w)),
    ...(w.module.slashCommand ? [code(claimedUsage(w))] : []),
    ...workflowHelpLines(w.module).map((l) => `• ${escapeMrkdwn(l)}`),
  ].join('\n');
}
