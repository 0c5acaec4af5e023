import { Command, InvalidArgumentError } from 'commander';
import { isMarshalError } from '../errors/index.js';
import { scrubSecrets } from '../log/index.js';
import { runCommand } from './commands/run.js';
import { serveCommand } from './commands/serve.js';
import { statusCommand } from './commands/status.js';
import { workerCommand } from './commands/worker.js';
import { demoCommand } from './commands/demo.js';
import { manifestCommand } from './commands/manifest.js';
import { workflowsCommand } from './commands/workflows.js';

/**
 * The `marshal` command line. Wiring only: each subcommand lives in commands/ and everything it
 * starts is built by src/app.
 */
const program = new Command('marshal')
  .description('ChatOps for infrastructure operations: staged, approvable workflows over SSH')
  .showHelpAfterError();

const concurrency = (text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 500)
    throw new InvalidArgumentError('a whole number from 1 to 500');
  return n;
};

program
  .command('serve')
  .description('the Slack app and workers in one process (settings from the environment; see README)')
  .option('--no-workers', 'front end only: the work is done by `marshal worker` processes')
  .option('--concurrency <n>', 'jobs this process works on at once', concurrency, 50)
  .action((options: { workers: boolean; concurrency: number }) => serveCommand(options));

const milliseconds = (text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 100 || n > 3_600_000)
    throw new InvalidArgumentError('a whole number of milliseconds from 100 to 3600000');
  return n;
};

program
  .command('worker')
  .description('workers only, to scale out on more machines (REDIS_URL, MARSHAL_CONFIG)')
  .option('--concurrency <n>', 'jobs this process works on at once', concurrency, 50)
  .option(
    '--lock-duration <ms>',
    "a job whose worker stops renewing its lock this long is taken over by another worker (after a crash, a host's step resumes about this much later)",
    milliseconds,
    30_000,
  )
  .option(
    '--stalled-interval <ms>',
    'how often this worker looks for jobs whose worker died',
    milliseconds,
    30_000,
  )
  .option(
    '--metrics-port <port>',
    'serve /metrics, /healthz and /readyz on this port for Prometheus',
    (text: string) => {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 1 || n > 65_535)
        throw new InvalidArgumentError('a port number from 1 to 65535');
      return n;
    },
  )
  .action(
    (options: { concurrency: number; lockDuration: number; stalledInterval: number; metricsPort?: number }) =>
      workerCommand(options),
  );

// `marshal run` reads its own line (src/cli/run-arguments.ts): its options and the workflow's flags are
// told apart by name and place, and `--help` lists the loaded workflows, which takes loading them.
program
  .command('run')
  .description(
    'run a workflow from a terminal with its slash command’s words, e.g. `marshal run config-push rate-limiter to role=web --canary 1` (--help lists the workflows)',
  )
  .argument('[args...]', '[options] <workflow> <words…>')
  .helpOption(false)
  .allowUnknownOption()
  .allowExcessArguments()
  .action(async (args: string[]) => {
    process.exitCode = await runCommand(args);
  });

program
  .command('workflows')
  .description(
    'the workflows this Marshal loads (built-in and from the config’s directories), from where, with usage',
  )
  .action(() => workflowsCommand((line) => process.stdout.write(`${line}\n`)));

program
  .command('manifest')
  .description('the Slack app manifest for exactly the loaded workflows')
  .option('--url <base>', 'where Marshal’s HTTP endpoint is reachable, e.g. https://marshal.example.com')
  .action((options: { url?: string }) => manifestCommand(options, (text) => process.stdout.write(text)));

program
  .command('status')
  .description('a run in detail, or the recent runs')
  .argument('[run]', 'a run id')
  .action((runId: string | undefined) => statusCommand(runId));

program
  .command('demo')
  .description(
    'the local run: a config push through canary, approval and batches on a local fleet, no Slack or cloud needed',
  )
  .option('--hosts <n>', 'hosts in the local fleet', concurrency, 12)
  .option('--yes', 'approve as the demo approver without asking', false)
  .action((options: { hosts: number; yes: boolean }) => demoCommand(options));

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // An operator reads this: the message says what was wrong and how to fix it; no stack for our errors.
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`marshal: ${scrubSecrets(message)}\n`);
  if (!isMarshalError(err) && err instanceof Error && process.env.MARSHAL_DEBUG)
    process.stderr.write(`${err.stack}\n`);
  process.exitCode = isMarshalError(err) ? 2 : 1;
}
