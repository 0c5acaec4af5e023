import { createEngine, createRegistry } from '../../engine/index.js';
import { loadCoreSettings } from '../../config/settings.js';
import { createLogger } from '../../log/index.js';
import { pino } from 'pino';
import { describeRun } from '../describe-run.js';

/**
 * `marshal status [run]`: one run in detail, or the recent runs. Reads Redis only: it needs neither
 * the inventory nor SSH, so it works from any machine that reaches Redis.
 */
export async function statusCommand(runId: string | undefined): Promise<void> {
  const settings = loadCoreSettings();
  const logger = createLogger({ level: 'error', destination: pino.destination(2) });
  // Snapshots carry the workflow's name, not its code: an empty registry reads any run.
  const engine = await createEngine({
    redis: settings.redisUrl,
    prefix: settings.prefix,
    registry: createRegistry([]),
    logger,
  });
  try {
    if (runId) {
      process.stdout.write(`${describeRun(await engine.get(runId))}\n`);
      return;
    }
    for (const run of await engine.list({ limit: 20 })) {
      process.stdout.write(
        `${run.runId}  ${run.state.padEnd(9)} ${run.workflow}  by ${run.requester}  ${run.createdAt}\n`,
      );
    }
  } finally {
    await engine.close();
  }
}
