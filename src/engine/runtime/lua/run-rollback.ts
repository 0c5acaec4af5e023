/**
 * runRollback: a finished run's rollback, asked for after the end (the "Roll back" button, `marshal
 * rollback`, `/ops rollback`). Decided once per run: the first request reopens the run for its rollback
 * tasks only, with the locks the run held taken again (all or none, as lockAcquire); any later request
 * changes nothing and learns who asked first. The run's other tasks stay as they ended.
 * KEYS[1] run hash, KEYS[2] task-state hash, KEYS[3] active-run set, KEYS[4] the run's lock set,
 * KEYS[5] lock registry, KEYS[6..] lock hashes (one per lock name, in ARGV order)
 * ARGV[1] by, ARGV[2] now, ARGV[3] lock ttl ms, ARGV[4] lock expiresAt, ARGV[5] lock reason,
 * ARGV[6] runId (the locks' owner), ARGV[7] n = how many rollback task ids follow, ARGV[8..7+n] task ids,
 * then the lock names
 * Returns {'running'} (not finished) | {'already', by, at} | {'nothing'} (no task to reopen) |
 * {'conflict', name, holder, holderReason} | {'ok', attempt1, attempt2, ...} (each task's attempts so far)
 */
export const RUN_ROLLBACK_LUA = `
local runKey, tasksKey = KEYS[1], KEYS[2]
-- Asked before (the rollback may still be running): the first request's, whatever the state now.
local earlier = redis.call('HMGET', runKey, 'rollbackBy', 'rollbackAt')
if earlier[1] then return {'already', earlier[1], earlier[2] or ''} end
local rs = redis.call('HGET', runKey, 'state')
if rs ~= 'succeeded' and rs ~= 'failed' and rs ~= 'aborted' then return {'running'} end
local n = tonumber(ARGV[7])
if n == 0 then return {'nothing'} end
local locks = #KEYS - 5
for i = 1, locks do
  local h = redis.call('HMGET', KEYS[5 + i], 'owner', 'reason')
  if h[1] and h[1] ~= ARGV[6] then return {'conflict', ARGV[7 + n + i], h[1], h[2] or ''} end
end
for i = 1, locks do
  local name = ARGV[7 + n + i]
  redis.call('HSET', KEYS[5 + i], 'owner', ARGV[6], 'reason', ARGV[5], 'expiresAt', ARGV[4], 'name', name)
  redis.call('PEXPIRE', KEYS[5 + i], ARGV[3])
  redis.call('SADD', KEYS[4], name)
  redis.call('SADD', KEYS[5], name)
end
-- An aborted run skips rollback tasks unless its abort asked for them: this request does.
redis.call('HSET', runKey, 'state', 'running', 'rollbackBy', ARGV[1], 'rollbackAt', ARGV[2], 'abortRollback', '1', 'hold', '0')
redis.call('HDEL', runKey, 'finishedAt')
local out = {'ok'}
for i = 1, n do
  local id = ARGV[7 + i]
  redis.call('HSET', tasksKey, id, 'queued')
  redis.call('HDEL', tasksKey, id .. '#f', id .. '#e', id .. '#j')
  redis.call('HINCRBY', runKey, 'remaining', 1)
  out[#out + 1] = tonumber(redis.call('HGET', tasksKey, id .. '#a') or '0')
end
redis.call('SADD', KEYS[3], ARGV[6])
return out
`;
