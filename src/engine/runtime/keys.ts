/**
 * Every Redis key the engine uses, in one place, under a configurable prefix (tests isolate themselves
 * with their own). Lua scripts that must build keys themselves (the lock sweeper) follow the same shapes.
 */
export interface Keys {
  readonly prefix: string;
  /** BullMQ queue name; BullMQ adds its own `<prefix>:<queue>:` keys. */
  readonly queueName: string;
  /** BullMQ queue of control work (task transitions, batch hand-outs, gate timeouts): see jobs.ts. */
  readonly controlQueueName: string;
  run(runId: string): string;
  tasks(runId: string): string;
  outputs(runId: string): string;
  gates(runId: string): string;
  /** Who approved a gate that needs a quorum so far (a set). */
  gateApprovers(runId: string, gateId: string): string;
  rollout(runId: string, rolloutId: string): string;
  stage(runId: string, taskId: string): string;
  stageQueue(runId: string, taskId: string): string;
  ledger(runId: string): string;
  /**
   * A run's host counters (`ok`, `failed`, `changed`, and `restored` once a rollback put a changed host
   * back), kept by the ledger's scripts as each host step ends, so a summary of a 10,000-host run is read
   * without its ledger.
   */
  hostCounts(runId: string): string;
  /** Ledger fields of the host steps a person must see by name: failed, rolled back or not restored. */
  notable(runId: string): string;
  changed(runId: string, rolloutId: string): string;
  runLocks(runId: string): string;
  runEvents(runId: string): string;
  readonly events: string;
  readonly runs: string;
  /** Runs not yet final: the reconciler's work list. */
  readonly activeRuns: string;
  lock(name: string): string;
  readonly lockRegistry: string;
  /** What is known of a run whose state vanished from Redis (written after the loss was noticed). */
  lost(runId: string): string;
  lostHosts(runId: string): string;
  readonly lostRuns: string;
}

export function createKeys(prefix: string): Keys {
  const r = (runId: string) => `${prefix}:run:${runId}`;
  return {
    prefix,
    queueName: 'jobs',
    controlQueueName: 'control',
    run: r,
    tasks: (id) => `${r(id)}:tasks`,
    outputs: (id) => `${r(id)}:out`,
    gates: (id) => `${r(id)}:gates`,
    gateApprovers: (id, gateId) => `${r(id)}:gates:ap:${gateId}`,
    rollout: (id, rolloutId) => `${r(id)}:ro:${rolloutId}`,
    stage: (id, taskId) => `${r(id)}:st:${taskId}`,
    stageQueue: (id, taskId) => `${r(id)}:st:${taskId}:q`,
    ledger: (id) => `${r(id)}:ledger`,
    hostCounts: (id) => `${r(id)}:hosts`,
    notable: (id) => `${r(id)}:notable`,
    changed: (id, rolloutId) => `${r(id)}:changed:${rolloutId}`,
    runLocks: (id) => `${r(id)}:locks`,
    runEvents: (id) => `${r(id)}:events`,
    events: `${prefix}:events`,
    runs: `${prefix}:runs`,
    activeRuns: `${prefix}:runs:active`,
    lock: (name) => `${prefix}:lock:${name}`,
    lockRegistry: `${prefix}:locks`,
    lost: (id) => `${prefix}:lost:${id}`,
    lostHosts: (id) => `${prefix}:lost:${id}:hosts`,
    lostRuns: `${prefix}:lost`,
  };
}

/** Ledger field of one target in one stage task. */
export function ledgerField(taskId: string, target: string): string {
  return `${taskId}|${target}`;
}
