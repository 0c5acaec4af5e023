import { z } from 'zod';
import type { DrillJournal } from './drill-journal.js';

/**
 * A drill's scorecard: measured RTO (shift start → the secondary serving 100% with the SLO met) against
 * the target, what users saw during the shift, replication lag at the DNS cutover, the rollback's time to
 * restore. Kept per scenario (`scorecards:<scenario>`) so `/drdrill history` shows the trend.
 */
export const Scorecard = z.object({
  runId: z.string(),
  scenario: z.string(),
  finishedAt: z.string(),
  requester: z.string(),
  outcome: z.enum(['completed', 'rolled-back', 'failed']),
  /** The highest share the secondary served (percent). */
  reachedShare: z.number(),
  rtoMs: z.number().nullable(),
  rtoTargetMs: z.number(),
  rtoMet: z.boolean().nullable(),
  /** Of the RTO, how long the drill waited for the approval (a person, not the machinery). */
  approvalWaitMs: z.number().nullable(),
  users: z.object({
    requests: z.number(),
    failures: z.number(),
    errorRate: z.number(),
    /** The worst step's p95 latency (ms). */
    p95: z.number(),
  }),
  /** The most any replica lagged at the DNS cutover (seconds); null when there was none. */
  replicationLagSeconds: z.number().nullable(),
  rollbackMs: z.number().nullable(),
  failback: z.enum(['fail-back', 'stay']).nullable(),
});
export type Scorecard = z.infer<typeof Scorecard>;

const ms = (from: string | undefined, to: string | undefined): number | null =>
  from && to ? Date.parse(to) - Date.parse(from) : null;

/** The scorecard of a finished drill, from its journal. Pure. */
export function scoreDrill(input: {
  runId: string;
  requester: string;
  finishedAt: string;
  rtoTargetMs: number;
  journal: DrillJournal;
}): Scorecard {
  const { journal } = input;
  const steps = journal.steps;
  const first = steps[0];
  const full = steps.find((s) => s.share === 100 && s.pass === true);
  const rtoMs = ms(first?.appliedAt, full?.checkedAt);
  const canary = steps.find((s) => s.kind === 'canary');
  const firstBatch = steps.find((s) => s.kind === 'batch');
  const loads = steps.flatMap((s) => (s.load ? [s.load] : []));
  const requests = loads.reduce((n, l) => n + l.requests, 0);
  const failures = loads.reduce((n, l) => n + l.failures, 0);
  const lags = journal.replicationAtCutover?.map((r) => r.lagSeconds) ?? [];
  const rolledBack = journal.rollback !== undefined;
  return {
    runId: input.runId,
    scenario: journal.scenario,
    finishedAt: input.finishedAt,
    requester: input.requester,
    outcome: rolledBack ? 'rolled-back' : full ? 'completed' : 'failed',
    reachedShare: Math.max(0, ...steps.map((s) => s.share)),
    rtoMs,
    rtoTargetMs: input.rtoTargetMs,
    rtoMet: rtoMs === null ? null : rtoMs <= input.rtoTargetMs,
    approvalWaitMs: ms(canary?.checkedAt, firstBatch?.appliedAt),
    users: {
      requests,
      failures,
      errorRate: requests === 0 ? 0 : failures / requests,
      p95: Math.max(0, ...loads.map((l) => l.p95)),
    },
    replicationLagSeconds: lags.length ? Math.max(...lags) : null,
    rollbackMs: journal.rollback?.ms ?? null,
    failback: journal.failback?.decision ?? null,
  };
}

const seconds = (v: number | null): string => (v === null ? '–' : `${(v / 1000).toFixed(1)} s`);

/** One scorecard in words, for the thread and the terminal. Pure. */
export function describeScorecard(card: Scorecard): string {
  const rto =
    card.rtoMs === null
      ? `RTO not reached (the secondary served at most ${card.reachedShare}%)`
      : `RTO ${seconds(card.rtoMs)} against a target of ${seconds(card.rtoTargetMs)} (${card.rtoMet ? 'met' : 'MISSED'})` +
        (card.approvalWaitMs !== null
          ? `, of which ${seconds(card.approvalWaitMs)} waiting for approval`
          : '');
  return [
    `Scorecard of ${card.scenario} (run ${card.runId}): ${card.outcome}`,
    `• ${rto}`,
    `• users during the shift: ${card.users.requests} requests, ${card.users.failures} failed (${(card.users.errorRate * 100).toFixed(2)}%), worst step p95 ${Math.round(card.users.p95)} ms`,
    `• replication lag at cutover: ${card.replicationLagSeconds === null ? '– (no DNS cutover)' : `${card.replicationLagSeconds} s`}`,
    `• rollback: ${card.rollbackMs === null ? 'none' : `traffic back on the primary in ${seconds(card.rollbackMs)}`}`,
    `• fail-back: ${card.failback ?? '–'}`,
  ].join('\n');
}

/** The history as a fixed-width table, newest last. Pure. */
export function historyTable(cards: readonly Scorecard[]): string {
  const head = ['finished', 'run', 'outcome', 'RTO', 'target', 'errors', 'p95', 'lag', 'rollback'];
  const rows = cards.map((c) => [
    c.finishedAt.slice(0, 16).replace('T', ' '),
    c.runId.slice(0, 12),
    c.outcome,
    seconds(c.rtoMs),
    seconds(c.rtoTargetMs),
    `${(c.users.errorRate * 100).toFixed(2)}%`,
    `${Math.round(c.users.p95)} ms`,
    c.replicationLagSeconds === null ? '–' : `${c.replicationLagSeconds} s`,
    seconds(c.rollbackMs),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}
