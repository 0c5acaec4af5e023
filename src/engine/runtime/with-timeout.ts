import { setMaxListeners } from 'node:events';
import { TaskTimeout } from '../errors/task-timeout.js';

/**
 * Runs work with an AbortSignal that fires at the timeout, or when `parent` (the attempt's lease) is
 * aborted. Work that ignores its signal still fails then: the race ends, the work's late result is dropped.
 */
export async function withTimeout<T>(
  taskId: string,
  timeoutMs: number | undefined,
  work: (signal: AbortSignal) => Promise<T>,
  parent?: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  // A task fans out (one SSH command per host, each listening for the abort): many listeners is normal.
  setMaxListeners(0, controller.signal);
  let timer: NodeJS.Timeout | undefined;
  let onParent: (() => void) | undefined;
  const ended = new Promise<never>((_, reject) => {
    if (parent) {
      onParent = () => {
        const reason: unknown = parent.reason;
        const err = reason instanceof Error ? reason : new Error(`${taskId} was aborted`);
        controller.abort(err);
        reject(err);
      };
      if (parent.aborted) onParent();
      else parent.addEventListener('abort', onParent, { once: true });
    }
    if (timeoutMs && timeoutMs > 0)
      timer = setTimeout(() => {
        const err = new TaskTimeout(taskId, timeoutMs);
        controller.abort(err);
        reject(err);
      }, timeoutMs);
  });
  ended.catch(() => {});
  if (!parent && !timer) return work(controller.signal);
  try {
    return await Promise.race([work(controller.signal), ended]);
  } finally {
    clearTimeout(timer);
    if (onParent) parent?.removeEventListener('abort', onParent);
  }
}
