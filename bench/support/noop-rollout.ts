import { z } from 'zod';
import { defineWorkflow } from '../../src/engine/dag/compile-workflow.js';

/**
 * The benches' engine-only workload: one rollout of `params.n` synthetic targets (`host-0`…), one batch,
 * no soak, no failure budget, whose step does nothing. What it measures is the engine around the step.
 */
export function noopRollout(options: { name: string; concurrency: number; changed?: boolean }) {
  const changed = options.changed ?? true;
  return defineWorkflow({
    name: options.name,
    summary: 'a no-op step on N hosts, one batch',
    params: z.object({ n: z.number() }),
    tasks(wf) {
      wf.rollout('noop', {
        targets: (ctx) => Array.from({ length: ctx.params.n }, (_, i) => `host-${i}`),
        strategy: () => ({
          canary: 0,
          batches: ['100%'],
          concurrency: options.concurrency,
          soakMs: 0,
          maxFailPercentPerBatch: 100,
          maxFailPercentTotal: 100,
        }),
        step: { name: 'noop', apply: async () => ({ changed, summary: 'done' }) },
      });
    },
  });
}
