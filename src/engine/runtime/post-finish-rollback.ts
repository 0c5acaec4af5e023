import type { RollbackOutcome } from '../engine.js';
import { LockConflict } from '../errors/lock-conflict.js';
import { RunStateConflict } from '../errors/run-state-conflict.js';
import { readLedger } from './ledger.js';
import { rollbackCandidates } from './rollback-task.js';
import type { RunInfo } from './run-info.js';
import { nowIso, type Runtime } from './runtime.js';
import { enqueue, taskJob } from './scheduler.js';

/**
 * A rollback asked for after the run finished with failures: the run's own rollback tasks run again
 * (the workflow's step `rollback`, on exactly the ledger entries still to restore: changed hosts not yet
 * restored, failed ones that left a checkpoint, earlier failed restores), as the `one_failed` path runs
 * them. The run is reopened for them only, so workers, the reconciler and the lock sweeper treat it as
 * any active run; its end is announced again, marked as this rollback's (`run.finished` `rollbackBy`).
 */
export async function rollbackFinishedRun(rt: Runtime, info: RunInfo, by: string): Promise<RollbackOutcome> {
  const { runId } = info;
  const refuse = (why: string) => new RunStateConflict(runId, `run ${runId} ${why}; nothing was rolled back`);
  const rollbacks = [...info.def.tasks.values()].filter((t) => t.kind === 'rollback');
  if (rollbacks.length === 0) throw refuse(`is of workflow ${info.def.name}, which declares no rollback`);
  if (info.dryRun) throw refuse('was a dry run: it changed no host');
  const run = await rt.redis.hmget(rt.keys.run(runId), 'state', 'abort');
  const failedHost = (await readLedger(rt.redis, rt.keys, runId)).some((e) => e.state === 'failed');
  if (run[0] === 'succeeded' && !failedHost)
    throw refuse('succeeded on every host; roll back is for runs that finished with failures');
  const due: string[] = [];
  const hosts: string[] = [];
  for (const task of rollbacks) {
    const pending = await rollbackCandidates(rt, runId, task.of);
    if (pending.length === 0) continue;
    due.push(task.id);
    hosts.push(...pending.map((e) => e.target));
  }
  // The locks the run held while it changed these hosts keep other runs off them while they are restored.
  const locks = due.length ? await heldLocks(rt, runId) : [];
  const at = nowIso();
  const reason = `${info.def.name} run ${runId}: rollback asked by ${by}`;
  const expiresAt = new Date(Date.now() + rt.lockTtlMs).toISOString();
  const reply = await rt.scripts.run<(string | number)[]>(
    'marshalRunRollback',
    [
      rt.keys.run(runId),
      rt.keys.tasks(runId),
      rt.keys.activeRuns,
      rt.keys.runLocks(runId),
      rt.keys.lockRegistry,
      ...locks.map((n) => rt.keys.lock(n)),
    ],
    [by, at, rt.lockTtlMs, expiresAt, reason, runId, due.length, ...due, ...locks],
  );
  switch (reply[0]) {
    case 'running':
      throw new RunStateConflict(
        runId,
        `run ${runId} has not finished; abort it with rollback instead (\`/ops abort ${runId} --rollback\`)`,
      );
    case 'already':
      return { applied: false, why: 'already', by: String(reply[1]), at: String(reply[2]) };
    case 'nothing':
      return { applied: false, why: 'nothing' };
    case 'conflict':
      throw new LockConflict(String(reply[1]), String(reply[2]), String(reply[3]));
  }
  if (locks.length) rt.emit({ type: 'lock.changed', runId, at, action: 'taken', names: locks, reason });
  rt.emit({ type: 'run.control', runId, at, action: 'rollback', by, hosts });
  const attempts = reply.slice(1).map(Number);
  due.forEach((taskId) => rt.emit({ type: 'task.state', runId, at, taskId, state: 'queued', attempt: 0 }));
  await enqueue(
    rt,
    due.map((taskId, i) => taskJob(runId, taskId, (attempts[i] ?? 0) + 1)),
  );
  return { applied: true, by, at, hosts };
}

/** The lock names the run took (its `lock.changed` events), in the order first taken. */
async function heldLocks(rt: Runtime, runId: string): Promise<string[]> {
  const names = new Set<string>();
  for (const e of await rt.events.history(runId))
    if (e.type === 'lock.changed' && e.action === 'taken') for (const n of e.names) names.add(n);
  return [...names];
}
