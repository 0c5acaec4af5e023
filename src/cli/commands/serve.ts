import { installProcessGuard } from '../../app/process-guard.js';
import { startServer } from '../../app/start-server.js';
import { loadSettings } from '../../config/settings.js';
import { createLogger } from '../../log/index.js';
import { onShutdown } from '../shutdown.js';

/** `marshal serve`: the Slack app with workers in the same process. */
export async function serveCommand(options: { workers: boolean; concurrency: number }): Promise<void> {
  const logger = createLogger();
  const server = await startServer({
    settings: loadSettings(),
    logger,
    workers: options.workers ? { concurrency: options.concurrency } : false,
  });
  // Once serving, no request may end the process; a failed start still exits with its error.
  installProcessGuard(logger);
  onShutdown(
    () => server.close(),
    (msg) => logger.info(msg),
  );
}
