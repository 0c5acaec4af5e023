import { relative } from 'node:path';
import { claimedUsage, marshalRunUsage } from '../../../commands/parse/marshal-command.js';
import { cliCatalog } from '../cli-catalog.js';

/** `marshal workflows`: what this Marshal loads, from where, and how each is started. */
export async function workflowsCommand(print: (line: string) => void): Promise<void> {
  const { catalog, config } = await cliCatalog();
  print(config ? `Workflows (config ${config}):` : 'Workflows (built-in only: MARSHAL_CONFIG is not set):');
  for (const w of catalog.list()) {
    const from = w.builtIn ? `built-in (${shortPath(w.source)})` : w.source;
    print('');
    print(`${w.module.name}  ${w.module.summary}`);
    print(`  from     ${from}`);
    print(`  usage    ${marshalRunUsage(w).replace(/^\/marshal run/, 'marshal run')}`);
    print(`  slack    ${marshalRunUsage(w)}`);
    if (w.module.slashCommand) print(`           ${claimedUsage(w)}`);
    for (const warning of w.warnings) print(`  warning  ${warning}`);
  }
}

function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}
