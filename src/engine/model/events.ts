import { z } from 'zod';
import { GateDecision, GateOption, StageProgress, TargetResult } from './run.js';
import { RunState, TaskState } from './task-state.js';

/**
 * What the engine says about runs, through one interface. Slack progress threads, the audit log and
 * metrics subscribe; the engine knows none of them. Events cross processes (workers elsewhere), so
 * they are plain JSON validated on the way in.
 */
const base = { runId: z.string(), at: z.string() };

export const RunEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run.started'),
    ...base,
    workflow: z.string(),
    requester: z.string(),
    dryRun: z.boolean(),
    meta: z.record(z.string(), z.string()),
    /** Set when the run retries the failed targets of an earlier run. */
    retryOf: z.string().optional(),
  }),
  z.object({
    type: z.literal('task.state'),
    ...base,
    taskId: z.string(),
    state: TaskState,
    attempt: z.number().int(),
    error: z.string().optional(),
    /** What a finished task did, in words, where its state alone misleads (`nothing to roll back`). */
    note: z.string().optional(),
  }),
  z.object({ type: z.literal('stage.progress'), ...base, progress: StageProgress }),
  z.object({ type: z.literal('target.finished'), ...base, rolloutId: z.string(), result: TargetResult }),
  z.object({
    type: z.literal('gate.waiting'),
    ...base,
    gateId: z.string(),
    evidence: z.unknown(),
    expiresAt: z.string(),
    requester: z.string(),
    kind: z.enum(['approval', 'choice']).optional(),
    prompt: z.string().optional(),
    options: z.array(GateOption).optional(),
    defaultOption: z.string().optional(),
    /** The hash of the plan a decision on this card approves (src/engine/runtime/plan-hash.ts). */
    planHash: z.string().optional(),
    /** Distinct approvers needed, when more than one. */
    quorum: z.number().int().optional(),
    /** Set when the plan changed under an open gate: the hash of the plan the earlier card showed. */
    replaces: z.string().optional(),
  }),
  /** One approval of a gate that needs more than one: who approved so far. */
  z.object({
    type: z.literal('gate.vote'),
    ...base,
    gateId: z.string(),
    by: z.string(),
    approvers: z.array(z.string()),
    quorum: z.number().int(),
    planHash: z.string().optional(),
  }),
  z.object({
    type: z.literal('gate.decided'),
    ...base,
    gateId: z.string(),
    decision: GateDecision,
    by: z.string(),
    reason: z.string().optional(),
    timedOut: z.boolean(),
    /** A choice gate's option: picked, or its default taken on timeout. */
    option: z.string().optional(),
  }),
  z.object({
    type: z.literal('run.control'),
    ...base,
    /** `rollback`: after the run finished, its changed hosts are rolled back (asked once). */
    action: z.enum(['hold', 'resume', 'abort', 'rollback']),
    by: z.string(),
    rollback: z.boolean().optional(),
    /** With `rollback`: the hosts the run changed and did not restore, which its rollback now restores. */
    hosts: z.array(z.string()).optional(),
    /** An abort while this rollout approval gate waited: the canary is rolled back unless kept. */
    atGate: z.string().optional(),
  }),
  /** Named locks a run took (all at once) or released (when it ended): for the audit. */
  z.object({
    type: z.literal('lock.changed'),
    ...base,
    action: z.enum(['taken', 'released']),
    names: z.array(z.string()),
    reason: z.string().optional(),
  }),
  z.object({
    type: z.literal('run.finished'),
    ...base,
    state: RunState,
    durationMs: z.number(),
    /**
     * Set when this end closes a rollback asked for after the run had finished (by this person): the run
     * was announced finished before, so counts of finished runs must not take it again.
     */
    rollbackBy: z.string().optional(),
  }),
  /**
   * The run's state vanished from Redis under running work (a restart without persistence): it will
   * never finish. `hosts` are those the surviving records name; other processes may know more.
   */
  z.object({
    type: z.literal('run.lost'),
    ...base,
    hosts: z.array(z.string()),
    why: z.string(),
    detectedAt: z.string(),
  }),
]);
export type RunEvent = z.infer<typeof RunEvent>;
export type RunEventType = RunEvent['type'];

/** Draws events out without the `at` and `runId` plumbing, for emitters. */
export type RunEventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

export interface EventSubscription {
  close(): Promise<void>;
}

/** The one interface events go through. */
export interface RunEvents {
  publish(event: RunEvent): Promise<void>;
  /** Receives every event published from now on, from any process, in order per run. */
  subscribe(handler: (event: RunEvent) => void | Promise<void>): Promise<EventSubscription>;
  /** Everything published for one run so far (progress threads rebuilt after a restart; audit). */
  history(runId: string): Promise<RunEvent[]>;
}
