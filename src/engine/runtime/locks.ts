import type { LockInfo } from '../model/run.js';
import { LockConflict } from '../errors/lock-conflict.js';
import { nowIso, type Runtime } from './runtime.js';

/** Takes named locks for a run, all or none; a lock another run holds is a LockConflict naming it. */
export async function acquireLocks(
  rt: Runtime,
  runId: string,
  names: string[],
  reason: string,
): Promise<void> {
  const unique = [...new Set(names)];
  if (unique.length === 0) return;
  const keys = [...unique.map((n) => rt.keys.lock(n)), rt.keys.runLocks(runId), rt.keys.lockRegistry];
  const expiresAt = new Date(Date.now() + rt.lockTtlMs).toISOString();
  const reply = await rt.scripts.run<string[]>('marshalLockAcquire', keys, [
    runId,
    reason,
    rt.lockTtlMs,
    expiresAt,
    ...unique,
  ]);
  if (reply[0] === 'conflict') throw new LockConflict(reply[1] ?? '', reply[2] ?? '', reply[3] ?? '');
  rt.emit({ type: 'lock.changed', runId, at: nowIso(), action: 'taken', names: unique, reason });
}

export async function releaseRunLocks(rt: Runtime, runId: string): Promise<void> {
  const names = await rt.redis.smembers(rt.keys.runLocks(runId));
  if (names.length === 0) return;
  const keys = [...names.map((n) => rt.keys.lock(n)), rt.keys.runLocks(runId), rt.keys.lockRegistry];
  await rt.scripts.run('marshalLockRelease', keys, [runId, ...names]);
  rt.emit({ type: 'lock.changed', runId, at: nowIso(), action: 'released', names: names.sort() });
}

/** Renews the locks of active runs and drops those of finished ones. Workers call it periodically. */
export async function sweepLocks(rt: Runtime): Promise<void> {
  const expiresAt = new Date(Date.now() + rt.lockTtlMs).toISOString();
  await rt.scripts.run('marshalLockSweep', [rt.keys.lockRegistry], [rt.keys.prefix, rt.lockTtlMs, expiresAt]);
}

export async function listLocks(rt: Runtime): Promise<LockInfo[]> {
  const names = (await rt.redis.smembers(rt.keys.lockRegistry)).sort();
  if (names.length === 0) return [];
  const pipeline = rt.redis.pipeline();
  for (const n of names) pipeline.hgetall(rt.keys.lock(n));
  const replies = (await pipeline.exec()) ?? [];
  const out: LockInfo[] = [];
  for (const [i, [, h]] of replies.entries()) {
    const rec = h as Record<string, string>;
    if (rec.owner)
      out.push({
        name: names[i] ?? rec.name ?? '',
        owner: rec.owner,
        reason: rec.reason ?? '',
        expiresAt: rec.expiresAt ?? '',
      });
  }
  return out;
}
