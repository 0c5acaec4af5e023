import { userInfo } from 'node:os';
import { pino } from 'pino';
import { createMarshal } from '../../app/create-marshal.js';
import { loadMarshalConfig } from '../../config/marshal-config.js';
import { loadCoreSettings } from '../../config/settings.js';
import { createLogger } from '../../log/index.js';
import { parseRunArguments, splitRunCommandLine } from '../run-arguments.js';
import { runHelp } from '../run-help.js';
import { loadWorkflowCatalog } from '../../app/workflow-catalog.js';
import { cliCatalog } from '../cli-catalog.js';
import { TerminalNotifier } from '../terminal-notifier.js';
import { runInTerminal } from '../terminal-run.js';
import { describeRun } from '../describe-run.js';
import { terminalLog } from '../terminal-log.js';
import { cliAccessControl } from '../cli-access.js';
import { resolveCliIdentity } from '../cli-identity.js';
import { NotAuthorizedError } from '../../slack/auth/not-authorized-error.js';
import { admitRun, recordBreakGlass } from '../../control/admit-run.js';
import { describeFreeze } from '../../control/change-freeze.js';
import { opsControlFor } from '../../app/ops-control-for.js';

/**
 * `marshal run [options] <workflow> <words…>`: a workflow from a terminal, with the same words as its
 * slash command. Exit code 0 only when the run succeeded.
 */
export async function runCommand(args: readonly string[]): Promise<number> {
  const line = splitRunCommandLine(args);
  const options = line.options;
  if (line.help) {
    const { catalog } = await cliCatalog();
    process.stdout.write(`${runHelp(catalog, line.workflow)}\n`);
    return 0;
  }
  const settings = loadCoreSettings();
  const config = await loadMarshalConfig(settings.configPath);
  const catalog = await loadWorkflowCatalog(config);
  // Bad words, an unknown terminal and a refused right are refused before anything connects.
  const request = parseRunArguments(catalog, line.workflow, line.words);
  const me = resolveCliIdentity(config.access.cli, {
    as: options.as,
    token: process.env.MARSHAL_CLI_TOKEN,
    osUser: userInfo().username,
  });
  const access = cliAccessControl(config, catalog);
  await access.require('start', request.workflow, me);
  if (options.autoApprove && !request.dryRun && !access.allowsUnattended(request.workflow))
    throw new NotAuthorizedError(
      `--auto-approve is not allowed for \`${request.workflow}\`: its approvals need another person. ` +
        `Set access.workflows.${request.workflow}.unattended: true in Marshal's config to allow unattended runs.`,
      { user: me, workflow: request.workflow, action: 'auto-approve' },
    );
  // The terminal shows progress lines; the log only says what goes wrong, one readable line each.
  const level = process.env.LOG_LEVEL ?? 'warn';
  const logger = createLogger({
    level,
    destination: ['debug', 'trace'].includes(level)
      ? pino.destination(2)
      : terminalLog((line) => process.stderr.write(`${line}\n`)),
  });
  const marshal = await createMarshal({
    config,
    catalog,
    redisUrl: settings.redisUrl,
    prefix: settings.prefix,
    allowEphemeralRedis: settings.allowEphemeralRedis ?? false,
    logger,
    notifier: new TerminalNotifier(undefined, undefined, { brief: true }),
  });
  // The same admission as Slack's, before the run exists: per-target access, then the change freeze.
  const control = opsControlFor(marshal, config);
  const launch = {
    workflow: request.workflow,
    params: request.params,
    dryRun: request.dryRun,
  };
  let admission;
  try {
    admission = await admitRun(control, { user: me, among: (p, u) => access.among(p, u) }, launch);
  } catch (err) {
    await marshal.close();
    throw err;
  }
  const pool = options.workers
    ? marshal.engine.startWorkers({ concurrency: options.workerConcurrency })
    : undefined;
  try {
    const run = await runInTerminal({
      engine: marshal.engine,
      request,
      requester: me,
      autoApprove: options.autoApprove,
      print: (line) => process.stdout.write(`${line}\n`),
      ...(admission.breakGlass
        ? {
            onStarted: async (runId: string) => {
              const freeze = admission.breakGlass!;
              // Called out where it was done (this terminal) and in the audit, as Slack's channel note.
              process.stdout.write(
                `🚨 BREAK-GLASS: ${me} started ${request.workflow} (run ${runId}) during the ${describeFreeze(freeze)}\n`,
              );
              await recordBreakGlass(control, {
                runId,
                user: me,
                workflow: request.workflow,
                freeze,
                command: `marshal run ${args.join(' ')}`,
              });
            },
          }
        : {}),
    });
    process.stdout.write(`\n${describeRun(run, { errorsShown: true })}\n`);
    return run.state === 'succeeded' ? 0 : 1;
  } finally {
    await pool?.close();
    await marshal.close();
  }
}
