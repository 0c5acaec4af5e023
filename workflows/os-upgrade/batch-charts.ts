import { z } from 'zod';
import type { HostStepContext, Notifier, RunReader, WorkflowRecords } from '../../src/authoring/index.js';
import type { OsUpgradeParams } from './params.js';

/** Who posts a batch's chart: the first claim appended to this list for the run and batch. */
const CLAIMS = 'batch-chart-claims';
const Claim = z.object({ runId: z.string(), batch: z.number(), by: z.string() });

export interface BatchChartDeps {
  records: WorkflowRecords;
  notifier: Notifier;
  runs: RunReader;
  /** The chart of the release's progress now (null: nothing to draw yet). */
  chart(ctx: HostStepContext<OsUpgradeParams>): Promise<{ png: Buffer; altText: string } | null>;
}

/**
 * The chart of each data center's share on the release, posted in the thread at each batch of a long run
 * (one that has gone on `afterMs` or more), not only at the end: people following a run of hours see it
 * move. It is posted when a batch starts, showing what the batches before it did; the last batch is in
 * the chart at the end. Once per batch: the hosts starting a batch (in any worker process) each append a
 * claim to one list, and the first claim for the batch posts.
 */
export class BatchCharts {
  /** Batches this process has claimed or looked at: the other hosts starting the batch here skip. */
  private readonly seen = new Set<string>();

  constructor(private readonly deps: BatchChartDeps) {}

  async atBatchStart(ctx: HostStepContext<OsUpgradeParams>, afterMs: number, release: string): Promise<void> {
    if (ctx.stage.kind !== 'batch' || ctx.dryRun) return;
    const key = `${ctx.runId}\u0000${ctx.stage.index}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const run = await this.deps.runs.get(ctx.runId);
    if (Date.now() - Date.parse(run.createdAt) < afterMs) return;
    const batch = ctx.stage.index;
    await ctx.fenced(async () => {
      await this.deps.records.append(CLAIMS, { runId: ctx.runId, batch, by: ctx.target }, { keep: 1000 });
      const first = (await this.deps.records.list(CLAIMS))
        .map((c) => Claim.safeParse(c).data)
        .find((c) => c?.runId === ctx.runId && c.batch === batch);
      if (first?.by !== ctx.target) return;
      const chart = await this.deps.chart(ctx);
      if (!chart) return;
      await this.deps.notifier.image({
        runId: ctx.runId,
        title: `${release}: % of each data center upgraded, batch ${batch} starting`,
        png: chart.png,
        altText: chart.altText,
      });
    });
  }
}
