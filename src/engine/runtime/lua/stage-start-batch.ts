/**
 * stageStartBatch: a rollout stage starts one batch, unless the run is held (the stage parks as
 * `held`) or aborted. Started at most once per batch, whoever asks.
 * KEYS[1] run hash, KEYS[2] task-state hash, KEYS[3] stage hash, KEYS[4] stage queue (list)
 * ARGV[1] taskId, ARGV[2] batch index (0-based), ARGV[3] concurrency, ARGV[4] batch count, ARGV[5..] targets
 * Returns {'started', first targets to work on...} | {'empty'} | {'dup'} | {'held'} | {'aborted'} | {'gone'}
 */
export const STAGE_START_BATCH_LUA = `
local rs = redis.call('HGET', KEYS[1], 'state')
if rs ~= 'running' and rs ~= 'held' then return {'gone'} end
if redis.call('HGET', KEYS[2], ARGV[1]) ~= 'running' then return {'gone'} end
if redis.call('HGET', KEYS[1], 'abort') == '1' then return {'aborted'} end
if redis.call('HGET', KEYS[1], 'hold') == '1' then
  redis.call('HSET', KEYS[2], ARGV[1], 'held')
  redis.call('HSET', KEYS[3], 'next', ARGV[2])
  return {'held'}
end
local b = ARGV[2]
if redis.call('HSETNX', KEYS[3], 'b' .. b, 1) == 0 then return {'dup'} end
local n = #ARGV - 4
local k = math.min(n, tonumber(ARGV[3]))
redis.call('HSET', KEYS[3], 'batch', b, 'batchCount', ARGV[4], 'batchTotal', n, 'batchDone', 0, 'batchFailed', 0, 'inFlight', k)
redis.call('HINCRBY', KEYS[3], 'ver', 1)
redis.call('DEL', KEYS[4])
if n == 0 then
  redis.call('HSET', KEYS[3], 'd' .. b, 1)
  return {'empty'}
end
local out = {'started'}
for i = 5, #ARGV do
  if i - 4 <= k then out[#out + 1] = ARGV[i] else redis.call('RPUSH', KEYS[4], ARGV[i]) end
end
return out
`;
