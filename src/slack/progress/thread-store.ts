/** Where a run's thread lives in Slack. */
export interface ThreadRef {
  channel: string;
  /** The parent message's ts; replies use it as `thread_ts`. */
  ts: string;
}

export interface ThreadRecord extends ThreadRef {
  /** Approval cards posted in the thread, by gate id, so a decision edits the right one. */
  gateCards: Record<string, string>;
}

/**
 * What the notifier remembers across restarts: a restarted process keeps editing the same parent
 * message and does not post a milestone twice. Only what the notifier uses is declared.
 */
export interface ThreadStore {
  get(runId: string): Promise<ThreadRecord | undefined>;
  setParent(runId: string, ref: ThreadRef): Promise<void>;
  setGateCard(runId: string, gateId: string, ts: string): Promise<void>;
  /** Marks a milestone as posted; true the first time only. */
  claimMilestone(runId: string, key: string): Promise<boolean>;
}
