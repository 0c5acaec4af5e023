import type { GateDecision, LockInfo, RunRequest, RunSnapshot, TargetsView } from './model/run.js';
import type { RunEvents } from './model/events.js';

/**
 * What front ends (Slack, the CLI) may ask of the engine. Every method checks its input and the run's
 * state itself; a front end cannot bypass four-eyes or decide a gate twice.
 */
export interface Engine {
  /** Validates params against the workflow's schema, records the run, takes no host yet. Returns the run id. */
  start(request: RunRequest): Promise<string>;
  /**
   * Decides a waiting gate, once. Refused (ApprovalRefused) when `by` is the run's requester; a second
   * decision, or one for a gate that is not waiting, changes nothing and says what was decided before.
   */
  decide(input: {
    runId: string;
    gateId: string;
    decision: GateDecision;
    /** A choice gate's option id, with decision `approve`; never given for an approval gate. */
    option?: string;
    by: string;
    reason?: string;
    /**
     * The plan hash the decider was shown (the card's, the terminal's). Another than the gate's is
     * refused (`stale_plan`), and so is any decision once the plan changed under the gate (a new
     * `gate.waiting` then asks again). Front ends always pass it.
     */
    planHash?: string;
  }): Promise<DecisionResult>;
  /** Hold after the current batch; resume starts the next batch. */
  hold(runId: string, by: string): Promise<void>;
  resume(runId: string, by: string): Promise<void>;
  /**
   * Stop starting targets, let in-flight ones finish, run cleanup; roll back the changed targets if asked.
   * Unasked, an abort while a rollout's approval gate waits rolls the canary back (`rollback: false`
   * keeps it); elsewhere it rolls nothing back. Resolves with what was decided.
   */
  abort(runId: string, by: string, options?: { rollback?: boolean }): Promise<AbortOutcome>;
  /**
   * After a run finished with failures (failed, aborted, or some host failed): rolls back exactly the
   * hosts it changed and did not restore, through the workflow's own rollback steps and its ledger, with
   * the locks it held taken again. Decided once per run: a second request changes nothing and says who
   * asked first. Refused (RunStateConflict) for a run still going, a dry run, a run that succeeded on
   * every host, a workflow without a rollback, or a lock another run holds now.
   */
  rollback(runId: string, by: string): Promise<RollbackOutcome>;
  /** A new run of the same workflow and params, restricted to the targets that failed. Returns its id. */
  retryFailed(runId: string, by: string): Promise<string>;
  /**
   * The run as it is now. `targets` says which hosts it names (default `all`: every one, which reads the
   * whole ledger; summaries ask for `notable`, whose counts come from `hosts` kept as steps end).
   */
  get(runId: string, options?: { targets?: TargetsView }): Promise<RunSnapshot>;
  list(options?: { limit?: number; active?: boolean }): Promise<RunSnapshot[]>;
  locks(): Promise<LockInfo[]>;
  readonly events: RunEvents;
}

export type DecisionResult =
  | { applied: true; decision: GateDecision; option?: string; by: string; at: string }
  | {
      applied: false;
      /**
       * `awaiting_quorum`: an approval was recorded, but the gate needs more distinct approvers.
       * `stale_plan`: the decision was made on another plan than the gate's now (`planHash`).
       */
      why: 'already_decided' | 'not_waiting' | 'finished' | 'awaiting_quorum' | 'stale_plan';
      decision?: GateDecision;
      option?: string;
      /** With `awaiting_quorum`: approvals so far, how many are needed, and whether this person had approved already. */
      approvals?: number;
      quorum?: number;
      repeated?: boolean;
      /** With `awaiting_quorum`: who approved so far. */
      approvers?: string[];
      /** With `stale_plan`: the plan the gate asks about now. */
      planHash?: string;
      by?: string;
      at?: string;
    };

/** What an abort did: whether the changed targets are rolled back, and the gate it stopped at, if any. */
export interface AbortOutcome {
  rollback: boolean;
  atGate?: string;
}

/** What a rollback request after the end came to. */
export type RollbackOutcome =
  | { applied: true; by: string; at: string; hosts: string[] }
  | {
      applied: false;
      /** `already`: someone asked before (`by`, `at`); `nothing`: every changed host is restored already. */
      why: 'already' | 'nothing';
      by?: string;
      at?: string;
    };
