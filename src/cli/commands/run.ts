import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { pino } from 'pino';
import { createMarshal } from '../../app/create-marshal.js';
import { loadMarshalConfig } from '../../config/marshal-config.js';
import { loadCoreSettings } from '../../config/settings.js';
import { createLogger } from '../../log/index.js';
import { parseRunArguments } from '../run-arguments.js';
import { TerminalNotifier } from '../terminal-notifier.js';
import { runInTerminal } from '../terminal-run.js';
import { describeRun } from '../describe-run.js';

export interface RunCommandOptions {
  autoApprove: boolean;
  /** Run the work in this process (default); off when `marshal worker`s elsewhere do it. */
  workers: boolean;
  concurrency: number;
}

/** `marshal run <workflow> …`: a workflow from a terminal. Exit code 0 only when the run succeeded. */
export async function runCommand(
  workflow: string,
  words: string[],
  options: RunCommandOptions,
): Promise<number> {
  const request = parseRunArguments(workflow, words);
  const settings = loadCoreSettings();
  // The terminal shows progress lines; the log only says what goes wrong.
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: pino.destination(2) });
  const marshal = await createMarshal({
    config: await loadMarshalConfig(settings.configPath),
    redisUrl: settings.redisUrl,
    prefix: settings.prefix,
    allowEphemeralRedis: settings.allowEphemeralRedis ?? false,
    logger,
    notifier: new TerminalNotifier(),
  });
  const pool = options.workers
    ? marshal.engine.startWorkers({ concurrency: options.concurrency })
    : undefined;
  const tty = process.stdin.isTTY
    ? createInterface({ input: process.stdin, output: process.stdout })
    : undefined;
  try {
    const run = await runInTerminal({
      engine: marshal.engine,
      request,
      requester: `cli:${userInfo().username}`,
      autoApprove: options.autoApprove,
      ask: tty ? (q) => tty.question(q) : undefined,
      print: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(`\n${describeRun(run)}\n`);
    return run.state === 'succeeded' ? 0 : 1;
  } finally {
    tty?.close();
    await pool?.close();
    await marshal.close();
  }
}
