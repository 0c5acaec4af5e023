import { STAGE_COUNTERS_FN } from './record-target-end.js';

/**
 * Lua function `releaseSlot`: a finished target frees its slot in the batch's sliding window, judged
 * on counters that are current (the caller checked). With a failure-domain cap (stage hash `maxPer` > 0)
 * the target also frees its domain's slot, and the queue is searched in order for targets whose domain
 * is below the cap, as many as the window has room. The target's ledger field is marked released, so a
 * job redelivered after a crash between its end and its release releases once.
 * Arguments: run hash, stage hash, stage queue, ledger hash, the stage hash's
 * {ver, batchTotal, batchDone, batchFailed, inFlight, batch, conc, maxPer}, halt '1' | '0', halt
 * reason, the target's ledger field (`<taskId>|<target>`).
 * Returns {'ok', next targets...} | {'batch_done', haltReason or '', abort '1' | ''}.
 */
export const RELEASE_SLOT_FN = `
local function releaseSlot(run, stage, queue, ledger, s, halt, reason, field)
  redis.call('HSET', ledger, field .. '#r', '1')
  local cap = tonumber(s[8]) or 0
  if cap > 0 then
    local target = string.match(field, '^[^|]*|(.*)$')
    local d = redis.call('HGET', stage, 'g|' .. target)
    if d and tonumber(redis.call('HGET', stage, 'n|' .. d) or '0') > 0 then
      redis.call('HINCRBY', stage, 'n|' .. d, -1)
    end
  end
  if halt == '1' then redis.call('HSETNX', stage, 'halted', reason) end
  local halted = redis.call('HGET', stage, 'halted')
  local abort = redis.call('HGET', run, 'abort') == '1'
  local inFlight = tonumber(s[5]) or 0
  local out = {'ok'}
  if (not halted) and (not abort) then
    if cap == 0 then
      local t = redis.call('LPOP', queue)
      if t then
        out[#out + 1] = t
        inFlight = redis.call('HINCRBY', stage, 'inFlight', 1)
      end
    else
      local room = (tonumber(s[7]) or 1) - inFlight
      if room > 0 then
        local counts = {}
        for _, t in ipairs(redis.call('LRANGE', queue, 0, -1)) do
          if room == 0 then break end
          local d = redis.call('HGET', stage, 'g|' .. t) or ''
          if counts[d] == nil then counts[d] = tonumber(redis.call('HGET', stage, 'n|' .. d) or '0') end
          if counts[d] < cap then
            counts[d] = counts[d] + 1
            room = room - 1
            out[#out + 1] = t
            redis.call('LREM', queue, 1, t)
            redis.call('HINCRBY', stage, 'n|' .. d, 1)
            inFlight = redis.call('HINCRBY', stage, 'inFlight', 1)
          end
        end
      end
    end
  end
  if inFlight == 0 and (halted or abort or redis.call('LLEN', queue) == 0) then
    if redis.call('HSETNX', stage, 'd' .. (s[6] or '0'), 1) == 1 then
      return {'batch_done', halted or '', abort and '1' or ''}
    end
  end
  return out
end
`;

/** The stage hash fields `releaseSlot` reads, in its order. */
export const RELEASE_FIELDS = `'ver', 'batchTotal', 'batchDone', 'batchFailed', 'inFlight', 'batch', 'conc', 'maxPer'`;

/**
 * stageRelease: `releaseSlot` after the caller judged the failure budget on counters at version
 * ARGV[1]; if another target finished since, the verdict may be stale and the caller judges again
 * (optimistic concurrency), so no target starts after a breach.
 * KEYS[1] run hash, KEYS[2] stage hash, KEYS[3] stage queue, KEYS[4] rollout hash, KEYS[5] ledger hash
 * ARGV[1] expected version, ARGV[2] halt '1' | '0', ARGV[3] halt reason, ARGV[4] the target's ledger field
 * Returns {'stale', <stageCounters>} | releaseSlot's reply.
 */
export const STAGE_RELEASE_LUA = `${STAGE_COUNTERS_FN}${RELEASE_SLOT_FN}
if redis.call('HGET', KEYS[5], ARGV[4] .. '#r') then return {'ok'} end
local s = redis.call('HMGET', KEYS[2], ${RELEASE_FIELDS})
if s[1] ~= ARGV[1] then
  local out = stageCounters(KEYS[2], KEYS[4])
  table.insert(out, 1, 'stale')
  return out
end
return releaseSlot(KEYS[1], KEYS[2], KEYS[3], KEYS[5], s, ARGV[2], ARGV[3], ARGV[4])
`;
