import { setMaxListeners } from 'node:events';
import { TaskTimeout } from '../errors/task-timeout.js';

/**
 * Runs work with an AbortSignal that fires at the timeout. A task that ignores its signal still
 * fails at the timeout: the race ends, the work's late result is dropped.
 */
export async function withTimeout<T>(
  taskId: string,
  timeoutMs: number | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  // A task fans out (one SSH command per host, each listening for the abort): many listeners is normal.
  setMaxListeners(0, controller.signal);
  if (!timeoutMs || timeoutMs <= 0) return work(controller.signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new TaskTimeout(taskId, timeoutMs);
      controller.abort(err);
      reject(err);
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
