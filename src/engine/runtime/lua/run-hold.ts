/**
 * runHold / runResume: the operator's pause between batches.
 * KEYS[1] run hash, KEYS[2] task-state hash
 * ARGV[1] '1' to hold, '0' to resume
 * Returns {'finished'} | {'aborted'} | {'ok', resumed taskIds...} (on resume: the held stages, now running again)
 */
export const RUN_HOLD_LUA = `
local rs = redis.call('HGET', KEYS[1], 'state')
if rs ~= 'running' and rs ~= 'held' then return {'finished'} end
if redis.call('HGET', KEYS[1], 'abort') == '1' then return {'aborted'} end
local out = {'ok'}
if ARGV[1] == '1' then
  redis.call('HSET', KEYS[1], 'hold', '1', 'state', 'held')
  return out
end
redis.call('HSET', KEYS[1], 'hold', '0', 'state', 'running')
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  if all[i + 1] == 'held' and not string.find(all[i], '#', 1, true) then
    redis.call('HSET', KEYS[2], all[i], 'running')
    out[#out + 1] = all[i]
  end
end
return out
`;
