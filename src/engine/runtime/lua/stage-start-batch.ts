/**
 * stageStartBatch: a rollout stage starts one batch, unless the run is held (the stage parks as
 * `held`) or aborted. Started at most once per batch, whoever asks.
 * KEYS[1] run hash, KEYS[2] task-state hash, KEYS[3] stage hash, KEYS[4] stage queue (list)
 * ARGV[1] taskId, ARGV[2] batch index (0-based), ARGV[3] concurrency, ARGV[4] batch count,
 * ARGV[5] failure-domain cap (most targets of one domain in flight; 0 = none),
 * ARGV[6..] the batch's targets as pairs: target, its domain ('' without a cap)
 * The first targets are handed out up to the concurrency, skipping any whose domain is at its cap; the
 * rest wait in the stage queue (stageRelease hands them out as slots free). The cap and each target's
 * domain stay in the stage hash (`maxPer`, `g|<target>`), the domains' counts in flight in `n|<domain>`.
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
local n = (#ARGV - 5) / 2
local conc = tonumber(ARGV[3])
local cap = tonumber(ARGV[5]) or 0
redis.call('DEL', KEYS[4])
local out = {'started'}
local counts = {}
for i = 6, #ARGV, 2 do
  local t, d = ARGV[i], ARGV[i + 1]
  local free = #out - 1 < conc
  if cap > 0 then
    redis.call('HSET', KEYS[3], 'g|' .. t, d)
    free = free and (counts[d] or 0) < cap
  end
  if free then
    out[#out + 1] = t
    if cap > 0 then counts[d] = (counts[d] or 0) + 1 end
  else
    redis.call('RPUSH', KEYS[4], t)
  end
end
for d, c in pairs(counts) do redis.call('HSET', KEYS[3], 'n|' .. d, c) end
redis.call('HSET', KEYS[3], 'batch', b, 'batchCount', ARGV[4], 'batchTotal', n, 'batchDone', 0, 'batchFailed', 0,
  'inFlight', #out - 1, 'conc', conc, 'maxPer', cap)
redis.call('HINCRBY', KEYS[3], 'ver', 1)
if n == 0 then
  redis.call('HSET', KEYS[3], 'd' .. b, 1)
  return {'empty'}
end
return out
`;
