import { pino } from 'pino';
import { createMarshal } from '../../app/create-marshal.js';
import { loadMarshalConfig } from '../../config/marshal-config.js';
import { loadCoreSettings } from '../../config/settings.js';
import { createLogger } from '../../log/index.js';
import { describeRun } from '../describe-run.js';
import { TerminalNotifier } from '../terminal-notifier.js';

/**
 * `marshal status [run]`: one run in detail, or the recent runs. It starts no worker and touches no
 * host; the workflows are loaded only so a run's gates and stage progress can be read.
 */
export async function statusCommand(runId: string | undefined): Promise<void> {
  const settings = loadCoreSettings();
  const marshal = await createMarshal({
    config: await loadMarshalConfig(settings.configPath),
    redisUrl: settings.redisUrl,
    prefix: settings.prefix,
    allowEphemeralRedis: settings.allowEphemeralRedis ?? false,
    logger: createLogger({ level: 'error', destination: pino.destination(2) }),
    notifier: new TerminalNotifier(),
  });
  try {
    if (runId) {
      // Counts from the engine's counters, failed and restored hosts by name: never the whole ledger.
      process.stdout.write(`${describeRun(await marshal.engine.get(runId, { targets: 'notable' }))}\n`);
      return;
    }
    const runs = await marshal.engine.list({ limit: 20 });
    if (runs.length === 0) {
      process.stdout.write(
        `No runs yet (in Redis under the prefix ${settings.prefix}). Start one with, e.g.:\n` +
          `  marshal run config-push <bundle> to <hosts> --dry-run\n` +
          `(\`marshal run --help\` lists the workflows; \`marshal init\` sets up your hosts and a first bundle)\n`,
      );
      return;
    }
    for (const run of runs) {
      process.stdout.write(
        `${run.runId}  ${run.state.padEnd(9)} ${run.workflow}  by ${run.requester}  ${run.createdAt}\n`,
      );
    }
  } finally {
    await marshal.close();
  }
}
