import { z } from 'zod';

/**
 * What a drill run has done, step by step, kept in Marshal's store as it happens (`journal:<runId>`).
 * A task taken over from a dead worker reads it (with HAProxy's live weights) to continue where the last
 * attempt stopped: a weight change is never applied twice and never out of order. The scorecard and the
 * recap are computed from it.
 */
const LoadSummary = z.object({
  requests: z.number(),
  failures: z.number(),
  errorRate: z.number(),
  p50: z.number(),
  p95: z.number(),
  max: z.number(),
});
export type LoadSummary = z.infer<typeof LoadSummary>;

const CheckOutcome = z.object({
  check: z.string(),
  url: z.string(),
  pass: z.boolean(),
  errorRate: z.number(),
  p95: z.number(),
  breaches: z.array(z.string()),
});
export type CheckOutcome = z.infer<typeof CheckOutcome>;

export const DrillStep = z.object({
  kind: z.enum(['canary', 'batch']),
  share: z.number(),
  weights: z.record(z.string(), z.number()),
  /** When the weights were set (or found set by an attempt that took over). */
  appliedAt: z.string(),
  /** When this step's checks ended, and how. */
  checkedAt: z.string().optional(),
  pass: z.boolean().optional(),
  checks: z.array(CheckOutcome).default([]),
  /** What the load generator's users saw from the weight change to the end of the checks. */
  load: LoadSummary.optional(),
});
export type DrillStep = z.infer<typeof DrillStep>;

export const DrillJournal = z.object({
  scenario: z.string(),
  /** The weights before the drill moved anything: what rollback and fail-back put back. */
  baseline: z.record(z.string(), z.number()).optional(),
  steps: z.array(DrillStep).default([]),
  approval: z.object({ waitingSince: z.string().optional() }).default({}),
  dns: z
    .object({
      switchedAt: z.string().optional(),
      restoredAt: z.string().optional(),
    })
    .default({}),
  replicationAtCutover: z
    .array(z.object({ name: z.string(), lagSeconds: z.number(), lagBytes: z.number().nullable() }))
    .optional(),
  failure: z.object({ at: z.string(), share: z.number(), reason: z.string() }).optional(),
  rollback: z
    .object({
      startedAt: z.string(),
      /** Primary serving again, checked (the suite through the load balancer passed). */
      verifiedAt: z.string().optional(),
      /** Users' first success after their last failure, from the load generator. */
      usersRestoredAt: z.string().optional(),
      ms: z.number().optional(),
      dnsRestored: z.boolean().default(false),
      error: z.string().optional(),
    })
    .optional(),
  monitoring: z
    .object({
      startedAt: z.string().optional(),
      probes: z.number().default(0),
      breaches: z.array(z.object({ at: z.string(), what: z.string() })).default([]),
      endedAt: z.string().optional(),
    })
    .optional(),
  failback: z
    .object({
      decision: z.enum(['fail-back', 'stay']),
      by: z.string(),
      at: z.string(),
      verifiedAt: z.string().optional(),
      error: z.string().optional(),
    })
    .optional(),
});
export type DrillJournal = z.infer<typeof DrillJournal>;

export function emptyJournal(scenario: string): DrillJournal {
  return DrillJournal.parse({ scenario });
}

/** A journal as stored, or a new one for a run that has none yet. */
export function readJournal(raw: unknown, scenario: string): DrillJournal {
  if (raw === undefined) return emptyJournal(scenario);
  return DrillJournal.parse(raw);
}

/** The steps of a scenario's plan, canary first: what the execution walks. Pure. */
export function planSteps(shift: {
  canary: number;
  batches: readonly number[];
}): { kind: 'canary' | 'batch'; share: number }[] {
  return [
    { kind: 'canary', share: shift.canary },
    ...shift.batches.map((share) => ({ kind: 'batch' as const, share })),
  ];
}

/**
 * What to do for one planned step, given the journal and the share HAProxy serves now (`live`):
 * `done` (its checks ended), `check` (its weights are in force but not yet checked: an attempt died
 * between the two), `apply`, or `refuse` when HAProxy already serves more than this step, which only
 * happens if someone else moved traffic (the drill never moves backwards on its own). Pure.
 */
export function stepAction(
  journal: DrillJournal,
  share: number,
  live: number,
): 'done' | 'check' | 'apply' | 'refuse' {
  const recorded = journal.steps.find((s) => s.share === share);
  if (recorded?.checkedAt) return 'done';
  if (recorded || Math.abs(live - share) < 0.5) return 'check';
  if (live > share + 0.5) return 'refuse';
  return 'apply';
}
