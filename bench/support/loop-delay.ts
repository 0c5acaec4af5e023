import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * How late this process's event loop ran while `work` did: in a bench whose orchestrator, fleet and
 * image server share one process, a stalled loop delays every timer and handshake of all of them.
 */
export async function withLoopDelay<T>(
  work: () => Promise<T>,
): Promise<{ value: T; p99Ms: number; maxMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  try {
    const value = await work();
    return { value, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 };
  } finally {
    h.disable();
  }
}
