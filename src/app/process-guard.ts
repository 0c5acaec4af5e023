import type { Logger } from '../log/index.js';
import { scrubSecrets } from '../log/index.js';

/**
 * The last line of defence of a long-running process (`marshal serve`): an error nobody caught, from a
 * request or a library callback, is logged and the process keeps serving. Without it Node ends the
 * process on the first unhandled rejection, taking every run's workers and the Slack endpoint with it
 * (a signed `payload=null` did exactly that inside Bolt). Known bad input is refused before it gets this
 * far (`slack/app/inbound-body.ts`); this only keeps an unknown one from being fatal. Returns the
 * function that removes the guard.
 */
export function installProcessGuard(logger: Logger): () => void {
  const log = logger.child({ component: 'process-guard' });
  const describe = (err: unknown): { err: string; stack?: string } => ({
    err: scrubSecrets(err instanceof Error ? `${err.name}: ${err.message}` : String(err)),
    ...(err instanceof Error && err.stack ? { stack: scrubSecrets(err.stack) } : {}),
  });
  const onRejection = (reason: unknown): void => {
    log.error(describe(reason), 'unhandled promise rejection; kept serving');
  };
  const onException = (err: unknown): void => {
    log.error(describe(err), 'uncaught exception; kept serving');
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
