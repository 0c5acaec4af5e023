import { known } from '../../commands/parse/marshal-command.js';
import { parseWorkflowWords } from '../../commands/parse/workflow-command.js';
import { CommandInputError } from '../../commands/parse/command-input-error.js';
import type { WorkflowCatalog } from '../kit/catalog.js';

/** What `marshal run <workflow> …` asks the engine for. */
export interface TerminalRunRequest {
  workflow: string;
  params: Record<string, unknown>;
  dryRun: boolean;
}

/** The options of `marshal run` itself (this process), as opposed to the workflow's flags. */
export interface RunProcessOptions {
  autoApprove: boolean;
  /** `--as <Slack user id>`: the identity, proven by MARSHAL_CLI_TOKEN (else the mapped OS user). */
  as?: string;
  /** Work in this process (default); off when `marshal worker`s elsewhere do it. */
  workers: boolean;
  /** Jobs this process works on at once. */
  workerConcurrency: number;
}

export interface RunCommandLine {
  help: boolean;
  workflow: string | undefined;
  /** The words after the workflow's name, for the workflow's own syntax. */
  words: string[];
  options: RunProcessOptions;
}

/** `marshal run`'s own options: their names are reserved, so each flag means one thing wherever it stands. */
export const RUN_OPTIONS = [
  '--auto-approve  approve every gate unattended (recorded as cli:auto-approve); only where the access config sets unattended: true',
  '--as USER  act as this Slack user id, proven by MARSHAL_CLI_TOKEN (default: the OS user mapped in access.cli.users)',
  '--no-workers  do not work in this process: `marshal worker` processes do the work',
  '--worker-concurrency N  jobs this process works on at once (default 50)',
  '--help  the workflows, each with its usage and flags',
];
export const RUN_OPTION_NAMES = ['auto-approve', 'as', 'no-workers', 'worker-concurrency', 'help'];

/**
 * Splits `marshal run [options] <workflow> <words…>`. `marshal run`'s own options are read wherever they
 * stand (no workflow may have a flag of the same name); every other flag belongs to the workflow and
 * must come after its name: one before it (e.g. `--concurrency 3`, the workflow's hosts at once) is
 * refused rather than silently taken for something else.
 */
export function splitRunCommandLine(args: readonly string[]): RunCommandLine {
  const options: RunProcessOptions = { autoApprove: false, workers: true, workerConcurrency: 50 };
  let help = false;
  let workflow: string | undefined;
  const words: string[] = [];
  let passThrough = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (passThrough) {
      words.push(arg);
      continue;
    }
    if (arg === '--') {
      passThrough = true;
      continue;
    }
    const [flag, inline] = arg.startsWith('--') ? splitFlag(arg) : [undefined, undefined];
    if (arg === '-h' || flag === '--help') help = true;
    else if (flag === '--auto-approve') options.autoApprove = true;
    else if (flag === '--no-workers') options.workers = false;
    else if (flag === '--as') {
      const value = inline ?? args[++i];
      if (!value || !/^[UW][A-Z0-9]{2,}$/.test(value))
        throw new CommandInputError('--as', 'needs a Slack user id', 'a Slack user id such as U012AB3CD');
      options.as = value;
    } else if (flag === '--worker-concurrency') {
      const value = inline ?? args[++i];
      options.workerConcurrency = workerConcurrency(value);
    } else if (workflow === undefined && arg.startsWith('-')) {
      throw new CommandInputError(
        codeWord(flag ?? arg),
        'comes before the workflow name, where only `marshal run`’s own options go',
        `the workflow's flags after its name (\`marshal run <workflow> … ${flag ?? arg}\`); ` +
          "`marshal run`'s options are --auto-approve, --as USER, --no-workers and --worker-concurrency N " +
          '(the jobs this process works on at once)',
      );
    } else if (workflow === undefined) workflow = arg;
    else words.push(arg);
  }
  return { help, workflow, words, options };
}

/** Turns the words after `marshal run <workflow>` into a run request: the same words as its slash command. */
export function parseRunArguments(
  catalog: WorkflowCatalog,
  workflow: string | undefined,
  words: readonly string[],
): TerminalRunRequest {
  const loaded = known(catalog, workflow);
  const name = loaded.module.name;
  return { workflow: name, ...parseWorkflowWords(loaded.module, words, `marshal run ${name}`) };
}

function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

function workerConcurrency(text: string | undefined): number {
  const n = Number(text);
  if (text === undefined || !Number.isInteger(n) || n < 1 || n > 500) {
    throw new CommandInputError(
      '--worker-concurrency',
      text === undefined ? 'needs a value' : `\`${text}\` is not a whole number from 1 to 500`,
      'a whole number of jobs from 1 to 500, e.g. --worker-concurrency 16',
    );
  }
  return n;
}

const codeWord = (word: string): string => `\`${word}\``;
