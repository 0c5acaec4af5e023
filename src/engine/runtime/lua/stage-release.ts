/**
 * stageRelease: a finished target frees its slot in the batch's sliding window. The caller judged
 * the failure budget on counters at version ARGV[1]; if another target finished since, the verdict
 * may be stale and the caller judges again (optimistic concurrency), so no target starts after a breach.
 * With a failure-domain cap (stage hash `maxPer` > 0) the target also frees its domain's slot, and the
 * queue is searched in order for targets whose domain is below the cap, as many as the window has room.
 * KEYS[1] run hash, KEYS[2] stage hash, KEYS[3] stage queue, KEYS[4] rollout hash, KEYS[5] ledger hash
 * ARGV[1] expected version, ARGV[2] halt '1' | '0', ARGV[3] halt reason, ARGV[4] the target's ledger field
 * (`<taskId>|<target>`; marked released, so a job redelivered after a crash between targetDone and here
 * releases once)
 * Returns {'stale', <the counters as targetDone returns them>} | {'ok', next targets...} |
 * {'batch_done', haltReason or '', abort '1' | ''}
 */
export const STAGE_RELEASE_LUA = `
if redis.call('HGET', KEYS[5], ARGV[4] .. '#r') then return {'ok'} end
local s = redis.call('HMGET', KEYS[2], 'ver', 'batchTotal', 'batchDone', 'batchFailed', 'inFlight', 'batch', 'conc', 'maxPer')
if s[1] ~= ARGV[1] then
  local r = redis.call('HMGET', KEYS[4], 'total', 'done', 'failed')
  return {'stale', tonumber(s[1]) or 0, tonumber(s[2]) or 0, tonumber(s[3]) or 0, tonumber(s[4]) or 0,
    tonumber(s[5]) or 0, tonumber(r[1]) or 0, tonumber(r[2]) or 0, tonumber(r[3]) or 0, tonumber(s[6]) or 0}
end
redis.call('HSET', KEYS[5], ARGV[4] .. '#r', '1')
local cap = tonumber(s[8]) or 0
if cap > 0 then
  local target = string.match(ARGV[4], '^[^|]*|(.*)$')
  local d = redis.call('HGET', KEYS[2], 'g|' .. target)
  if d and tonumber(redis.call('HGET', KEYS[2], 'n|' .. d) or '0') > 0 then
    redis.call('HINCRBY', KEYS[2], 'n|' .. d, -1)
  end
end
if ARGV[2] == '1' then redis.call('HSETNX', KEYS[2], 'halted', ARGV[3]) end
local halted = redis.call('HGET', KEYS[2], 'halted')
local abort = redis.call('HGET', KEYS[1], 'abort') == '1'
local inFlight = tonumber(s[5]) or 0
local out = {'ok'}
if (not halted) and (not abort) then
  if cap == 0 then
    local t = redis.call('LPOP', KEYS[3])
    if t then
      out[#out + 1] = t
      inFlight = redis.call('HINCRBY', KEYS[2], 'inFlight', 1)
    end
  else
    local room = (tonumber(s[7]) or 1) - inFlight
    if room > 0 then
      local counts = {}
      for _, t in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do
        if room == 0 then break end
        local d = redis.call('HGET', KEYS[2], 'g|' .. t) or ''
        if counts[d] == nil then counts[d] = tonumber(redis.call('HGET', KEYS[2], 'n|' .. d) or '0') end
        if counts[d] < cap then
          counts[d] = counts[d] + 1
          room = room - 1
          out[#out + 1] = t
          redis.call('LREM', KEYS[3], 1, t)
          redis.call('HINCRBY', KEYS[2], 'n|' .. d, 1)
          inFlight = redis.call('HINCRBY', KEYS[2], 'inFlight', 1)
        end
      end
    end
  end
end
if inFlight == 0 and (halted or abort or redis.call('LLEN', KEYS[3]) == 0) then
  if redis.call('HSETNX', KEYS[2], 'd' .. (s[6] or '0'), 1) == 1 then
    return {'batch_done', halted or '', abort and '1' or ''}
  end
end
return out
`;
