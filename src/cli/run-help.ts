import { marshalRunUsage } from '../../commands/parse/marshal-command.js';
import { workflowHelpLines } from '../../commands/parse/workflow-command.js';
import type { WorkflowCatalog } from '../kit/catalog.js';
import { RUN_OPTIONS } from './run-arguments.js';

/** `marshal run --help`: marshal run's own options, then every workflow with its usage and flags. */
export function runHelp(catalog: WorkflowCatalog, only?: string): string {
  const lines = [
    'Usage: marshal run [options] <workflow> <words…>',
    '',
    'Runs a workflow from a terminal with the same words as its slash command, prints progress, and',
    'asks for the approver at each gate. Flags after the workflow name are the workflow’s.',
    '',
    'Options (anywhere on the line):',
    ...RUN_OPTIONS.map((o) => `  ${o}`),
    '',
    'Workflows:',
  ];
  for (const w of catalog.list()) {
    if (only !== undefined && w.module.name !== only) continue;
    lines.push(
      '',
      `  ${w.module.name}: ${w.module.summary}`,
      `    ${marshalRunUsage(w).replace(/^\/marshal run/, 'marshal run')}`,
      ...workflowHelpLines(w.module).map((l) => `      ${l}`),
    );
  }
  return lines.join('\n');
}
