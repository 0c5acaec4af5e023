import { RunExpired } from '../errors/run-expired.js';
import { jobId } from './jobs.js';
import type { RunInfo } from './run-info.js';
import type { Runtime } from './runtime.js';

/** Finished runs are kept this long unless the config says otherwise (`retention.days`). */
export const DEFAULT_RETENTION_MS = 30 * 24 * 3600_000;

/** Every key a run owns: its state, tasks, outputs, gates, rollouts, stages, ledger, events. */
export function runKeys(rt: Runtime, info: RunInfo): string[] {
  const { keys } = rt;
  const id = info.runId;
  const out = [
    keys.run(id),
    keys.tasks(id),
    keys.outputs(id),
    keys.gates(id),
    keys.ledger(id),
    keys.hostCounts(id),
    keys.notable(id),
    keys.runLocks(id),
    keys.runEvents(id),
  ];
  const rollouts = new Set<string>();
  for (const task of info.def.tasks.values()) {
    if (task.kind === 'gate') out.push(keys.gateApprovers(id, task.id));
    if (task.kind === 'stage') {
      out.push(keys.stage(id, task.id), keys.stageQueue(id, task.id));
      rollouts.add(task.rolloutId);
    }
  }
  for (const r of rollouts) out.push(keys.rollout(id, r), keys.changed(id, r));
  return out;
}

/**
 * Called once a run is final: every key it owns expires after the retention period and the timeout jobs
 * of its gates leave the queue. Nothing of the run is left after that (the run id itself says when it
 * started, which is how `marshal status` tells an expired run from an unknown one). The audit record
 * (src/audit) is not the run's to expire: it is what must outlive runs.
 */
export async function scheduleRunExpiry(rt: Runtime, info: RunInfo): Promise<void> {
  const p = rt.redis.pipeline();
  for (const key of runKeys(rt, info)) p.pexpire(key, rt.retentionMs);
  await p.exec();
  await removeGateTimeouts(rt, info);
}

/** A decided (or never opened) gate's timeout job would only wake to find nothing to do: remove it. */
export async function removeGateTimeouts(rt: Runtime, info: RunInfo, only?: string): Promise<void> {
  for (const task of info.def.tasks.values()) {
    if (task.kind !== 'gate' || (only !== undefined && task.id !== only)) continue;
    await rt.controlQueue.remove(jobId(info.runId, task.id, 'timeout')).catch((err: unknown) => {
      rt.logger.debug({ err, runId: info.runId, gateId: task.id }, 'gate timeout job not removed');
    });
  }
}

/**
 * A run Redis does not know that started longer ago than the retention period (its id begins with its
 * start time, base 36): it expired. Called only after a recorded loss was ruled out.
 */
export function expiredRun(rt: Runtime, runId: string, now = Date.now()): RunExpired | undefined {
  const m = /^([0-9a-z]{8,9})-[0-9a-f]{8}$/.exec(runId);
  if (!m) return undefined;
  const startedMs = parseInt(m[1]!, 36);
  if (!Number.isFinite(startedMs) || startedMs + rt.retentionMs > now) return undefined;
  return new RunExpired({
    runId,
    startedAt: new Date(startedMs).toISOString(),
    retentionDays: rt.retentionMs / (24 * 3600_000),
  });
}

/**
 * The run index (`<prefix>:runs`, by start time) lists runs for `marshal status` and the console; entries
 * whose run has expired are dropped, a few hundred at a time, so the index stays as small as what is kept.
 */
export async function pruneRunIndex(rt: Runtime, limit = 500): Promise<number> {
  const before = Date.now() - rt.retentionMs;
  const ids = await rt.redis.zrangebyscore(rt.keys.runs, '-inf', before, 'LIMIT', 0, limit);
  if (ids.length === 0) return 0;
  const p = rt.redis.pipeline();
  for (const id of ids) p.exists(rt.keys.run(id));
  const exists = (await p.exec()) ?? [];
  const gone = ids.filter((_, i) => exists[i]?.[1] === 0);
  if (gone.length > 0) await rt.redis.zrem(rt.keys.runs, ...gone);
  return gone.length;
}
