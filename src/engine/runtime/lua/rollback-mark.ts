/**
 * rollbackMark: the rollback task records what its restore of one target came to. Fenced on the task's
 * attempt: a rollback attempt that was superseded (its job taken over) writes nothing.
 * KEYS[1] task-state hash, KEYS[2] ledger hash, KEYS[3] the run's notable set (a rolled-back host is named
 * in every summary), KEYS[4] the run's host counters (keys.ts hostCounts): `restored` counts the entries
 * `changed` counts (applied with a change) once each is put back, so a summary can tell how many changed
 * hosts are left without naming them all. Counted here, once: a rolled-back entry is never marked again.
 * `halfChanged` counts the failed entries whose restore is unknown or failed: it goes down when such a
 * host is put back, up when a restore of a failed host fails.
 * ARGV[1] rollback task id, ARGV[2] its attempt, ARGV[3] ledger field,
 * ARGV[4] new state (`rolled_back` | `rollback_failed`), ARGV[5] detail JSON
 * Returns 1 (recorded) | 0 (the entry is no longer one to roll back) | -1 (this attempt was superseded)
 */
export const ROLLBACK_MARK_LUA = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= 'running' or redis.call('HGET', KEYS[1], ARGV[1] .. '#a') ~= ARGV[2] then
  return -1
end
local st = redis.call('HGET', KEYS[2], ARGV[3])
if st ~= 'applied' and st ~= 'failed' and st ~= 'rollback_failed' then return 0 end
-- The entry as its step ended it (a failed restore keeps those fields): ok and changed, or failed.
local d = cjson.decode(redis.call('HGET', KEYS[2], ARGV[3] .. '#d') or '{}')
local failedStep = d.error ~= nil
if ARGV[4] == 'rolled_back' and d.changed == true and not failedStep then
  redis.call('HINCRBY', KEYS[4], 'restored', 1)
end
-- A failed host is half-changed while its restore is unknown (failed, checkpoint set) or failed.
local wasHalf = (st == 'failed' and redis.call('HEXISTS', KEYS[2], ARGV[3] .. '#c') == 1)
  or (st == 'rollback_failed' and failedStep)
local isHalf = ARGV[4] == 'rollback_failed' and failedStep
if wasHalf ~= isHalf then redis.call('HINCRBY', KEYS[4], 'halfChanged', isHalf and 1 or -1) end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4], ARGV[3] .. '#d', ARGV[5])
redis.call('SADD', KEYS[3], ARGV[3])
return 1
`;
