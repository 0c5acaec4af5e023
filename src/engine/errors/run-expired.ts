import { ErrorCode, MarshalError } from '../../errors/index.js';

export interface ExpiredRunFacts {
  runId: string;
  /** When the run started (ISO time), read from its id. */
  startedAt: string;
  /** The retention period finished runs are kept for. */
  retentionDays: number;
}

/** A run whose state retention removed: it started longer ago than runs are kept. Its audit record is kept. */
export class RunExpired extends MarshalError {
  override name = 'RunExpired';
  readonly facts: ExpiredRunFacts;
  constructor(facts: ExpiredRunFacts) {
    const days = Number(facts.retentionDays.toFixed(3));
    super(
      ErrorCode.RunExpired,
      `run ${facts.runId} started at ${facts.startedAt} and has expired: finished runs are kept ${days} day${days === 1 ? '' : 's'} (config: retention.days), then their state, events and per-host results are removed. Its audit record is kept.`,
      { retryable: false, context: { ...facts } },
    );
    this.facts = facts;
  }
}
