import { Command, InvalidArgumentError } from 'commander';
import { isMarshalError } from '../errors/index.js';
import { scrubSecrets } from '../log/index.js';
import { runCommand } from './commands/run.js';
import { serveCommand } from './commands/serve.js';
import { statusCommand } from './commands/status.js';
import { workerCommand } from './commands/worker.js';
import { demoCommand, type DemoCommandOptions } from './commands/demo.js';
import { manifestCommand } from './commands/manifest.js';
import { workflowsCommand } from './commands/workflows.js';
import { initCommand, type InitOptions } from './commands/init.js';
import { auditExportCommand, auditVerifyCommand, parseFormat, parseSince } from './commands/audit.js';
import { catalogKeygen, catalogSign, catalogVerify } from './commands/catalog.js';
import { controlCommand, type ControlAction, type ControlOptions } from './commands/control.js';

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

// The run thread's buttons from a terminal, as the identity access.cli gives this terminal.
const controls: [ControlAction, string][] = [
  ['hold', 'hold a run after its current batch'],
  ['resume', 'resume a held run'],
  ['abort', 'abort a run (at an approval gate the canary is rolled back unless --keep)'],
  ['retry', 'a new run of the same workflow on the failed targets of a finished run'],
  [
    'rollback',
    'after a run finished with failures: restore the hosts it changed, through its rollback (asked once)',
  ],
  [
    'approve',
    "approve the run's waiting gate (another person than the requester; the plan shown is the one approved)",
  ],
];
for (const [action, description] of controls) {
  const cmd = program
    .command(action)
    .description(description)
    .argument('<run>', 'a run id')
    .option(
      '--as <user>',
      'act as this Slack user id, proven by MARSHAL_CLI_TOKEN (else the OS user mapped in access.cli.users)',
    );
  if (action === 'abort')
    cmd
      .option('--keep', 'at an approval gate: keep the canary as it is')
      .option('--rollback', 'roll back the changed targets');
  if (action === 'approve')
    cmd
      .option('--gate <id>', 'the gate (default: the one waiting)')
      .option('--option <id>', "a choice gate's option")
      .option(
        '--plan <hash>',
        'the plan hash you reviewed (`marshal status <run>`); refused if the plan is another',
      )
      .option('--reject', 'reject instead of approving');
  cmd.action(async (runId: string, options: ControlOptions) => {
    if (options.keep && options.rollback)
      throw new InvalidArgumentError('--keep and --rollback contradict each other');
    await controlCommand(action, runId, options, (line) => process.stdout.write(`${line}\n`));
  });
}

program
  .command('init')
  .description(
    'set Marshal up for your own hosts: config, inventory, known_hosts (fingerprints confirmed) and a first bundle',
  )
  .argument('[dir]', 'where to write them', 'marshal')
  .option('--hosts <list>', 'the hosts, comma-separated: name=address[:port] or address[:port]')
  .option('--user <name>', 'the SSH user Marshal logs in as')
  .option('--key <path>', 'the private key Marshal logs in with (OpenSSH format, no passphrase)')
  .option('--owner <slack id>', 'your Slack user id (U…): alerted when a push fails, may run config push')
  .option('--config-root <dir>', 'the directory on hosts bundles may write into', '/etc/marshal-apps')
  .option('--yes', 'trust the host keys read without asking (their fingerprints are printed)', false)
  .action(async (dir: string, options: InitOptions) => {
    process.exitCode = await initCommand(dir, options);
  });

program
  .command('demo')
  .description(
    'the local run: a config push through canary, approval and batches on a local fleet, no Slack or cloud needed',
  )
  .option('--hosts <n>', 'hosts in the local fleet', concurrency, 12)
  .option('--yes', 'approve as the demo approver (Bob) without waiting for the console or asking', false)
  .option(
    '--keep',
    'leave the fleet, Redis and console running afterwards, and print how to reach them (Ctrl-C stops)',
    false,
  )
  .option('--verbose', "Marshal's log as JSON lines on stderr", false)
  .action((options: DemoCommandOptions) => demoCommand(options));

const audit = program
  .command('audit')
  .description('the hash-chained audit record: verify it, export it (REDIS_URL, MARSHAL_PREFIX)');
audit
  .command('verify')
  .description(
    'check the whole chain; names the first broken record (edited, deleted, reordered); exit 3 if broken',
  )
  .action(async () => {
    process.exitCode = await auditVerifyCommand((line) => process.stdout.write(`${line}\n`));
  });
audit
  .command('export')
  .description('write records as JSON Lines or CSV, each with its hash (for compliance tools)')
  .option(
    '--since <when>',
    'records at or after an ISO time (2026-11-01T08:00:00Z) or a duration ago (24h)',
    (t) => parseSince(t),
  )
  .option('--run <run>', "only this run's records")
  .option('--format <format>', 'jsonl or csv', parseFormat, 'jsonl' as const)
  .option('--out <file>', 'write to a new file instead of stdout')
  .action((options: { since?: Date; run?: string; format: 'jsonl' | 'csv'; out?: string }) =>
    auditExportCommand(options),
  );
const print = (line: string): void => void process.stdout.write(`${line}\n`);
const catalog = program
  .command('catalog')
  .description('the signed release catalog of OS upgrades (docs/os-upgrade.md): keys, signing, checking');
catalog
  .command('keygen')
  .description('an Ed25519 key pair: <prefix>.key for the release team, <prefix>.pub for Marshal’s config')
  .argument('<prefix>', 'path prefix of the two files')
  .action((prefix: string) => catalogKeygen(prefix, print));
catalog
  .command('sign')
  .description('check a catalog and sign it (in place, or to --out)')
  .argument('<file>', 'the catalog (YAML)')
  .requiredOption('--key <file>', 'the Ed25519 private key (PEM)')
  .option('--out <file>', 'write the signed catalog here instead of over <file>')
  .action((file: string, options: { key: string; out?: string }) => catalogSign(file, options, print));
catalog
  .command('verify')
  .description('check a signed catalog as Marshal will, and list its releases')
  .argument('<file>', 'the signed catalog')
  .requiredOption('--public-key <file>', 'the Ed25519 public key (PEM)')
  .action((file: string, options: { publicKey: string }) => catalogVerify(file, options, print));

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
