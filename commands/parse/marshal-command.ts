import type { LoadedWorkflow, WorkflowCatalog } from '../../src/kit/catalog.js';
import { show } from '../../src/kit/catalog.js';
import { rankByDistance } from '../../src/inventory/closest-matches.js';
import { codeSpan } from './code-span.js';
import { CommandInputError } from './command-input-error.js';
import { unknownSubcommand } from './positionals.js';
import { tokenize } from './tokenize.js';
import { parseWorkflowWords, workflowUsage } from './workflow-command.js';
import { withUsage } from './with-usage.js';

/** What a workflow command asks for: a run, or help (about one workflow, or all of them). */
export type WorkflowCommand =
  | { kind: 'help'; workflow?: string }
  | { kind: 'run'; workflow: string; params: Record<string, unknown>; dryRun: boolean };

export const MARSHAL_USAGE = '/marshal run <workflow> … | /marshal help [<workflow>]';

/** `/marshal run <workflow> …` for one workflow, e.g. `/marshal run config-push <bundle> to <selector> …`. */
export const marshalRunUsage = (w: LoadedWorkflow): string =>
  `/marshal run ${w.module.name} ${workflowUsage(w.module)}`;

/** A workflow's own slash command with its words, e.g. `/config push <bundle> to <selector> …`. */
export const claimedUsage = (w: LoadedWorkflow): string =>
  `${show(w.module.slashCommand!)} ${workflowUsage(w.module)}`;

/**
 * `/marshal run <workflow> <words…>`, `/marshal help [<workflow>]`: every workflow through one command.
 * An unknown workflow is refused with the known ones listed, closest first.
 */
export function parseMarshalCommand(catalog: WorkflowCatalog, text: string): WorkflowCommand {
  return withUsage(MARSHAL_USAGE, () => {
    const [sub, name, ...words] = tokenize(text);
    if (sub === undefined || sub === 'help') {
      if (name !== undefined) known(catalog, name);
      return name === undefined ? { kind: 'help' } : { kind: 'help', workflow: name };
    }
    if (sub !== 'run') throw unknownSubcommand('/marshal', sub, '`run` or `help`');
    const workflow = known(catalog, name);
    return {
      kind: 'run',
      workflow: workflow.module.name,
      ...parseWorkflowWords(workflow.module, words, `/marshal run ${workflow.module.name}`),
    };
  });
}

/**
 * A slash command workflows claimed (`/config push …`): the subcommand picks the workflow, the rest are
 * its words; a command one workflow claimed without a subcommand takes all the words.
 */
export function parseClaimedCommand(
  command: string,
  claimants: readonly LoadedWorkflow[],
  text: string,
): WorkflowCommand {
  const usage = claimants.map(claimedUsage).join(' | ');
  return withUsage(usage, () => {
    const words = tokenize(text);
    const whole = claimants.find((w) => w.module.slashCommand?.subcommand === undefined);
    if (words.length === 0 || (words.length === 1 && words[0] === 'help')) return { kind: 'help' };
    const sub = words[0]!;
    const claimant = claimants.find((w) => w.module.slashCommand?.subcommand === sub);
    // A subcommand's workflow wins over a claim of the whole command for its first word.
    if (claimant) return run(claimant, words.slice(1));
    if (whole) return run(whole, words);
    const subs = claimants.map((w) => `\`${w.module.slashCommand!.subcommand}\``);
    throw unknownSubcommand(command, sub, [...subs, '`help`'].join(' or '));
  });
}

function run(workflow: LoadedWorkflow, words: readonly string[]): WorkflowCommand {
  return {
    kind: 'run',
    workflow: workflow.module.name,
    ...parseWorkflowWords(workflow.module, words, show(workflow.module.slashCommand!)),
  };
}

/** The workflow called `name`, or a refusal listing every known one, closest first. */
export function known(catalog: WorkflowCatalog, name: string | undefined): LoadedWorkflow {
  const names = catalog.list().map((w) => w.module.name);
  const listed = (names.length ? rankByDistance(name ?? '', names) : ['(none)']).map((n) => `\`${n}\``);
  if (name === undefined)
    throw new CommandInputError('<workflow>', 'is missing', `one of ${listed.join(', ')}`);
  const workflow = catalog.get(name);
  if (!workflow) {
    throw new CommandInputError(
      '<workflow>',
      `${codeSpan(name, 60)} is not a workflow of this Marshal`,
      `one of ${listed.join(', ')} (closest first)`,
    );
  }
  return workflow;
}
