/**
 * Lua function `recordTargetEnd`: records a target's end in the ledger and the stage's counters, once.
 * Keys: stage hash, ledger hash, changed-targets list, rollout hash, the run's host counters (`ok` |
 * `failed` | `changed` | `halfChanged`, keys.ts hostCounts), its notable set. Arguments: ledger field, ledger state
 * (applied | failed | planned | skipped), detail JSON, changed '1' | '0', target, the attempt's fencing
 * token (see targetBegin), or '' when the engine ends the work of an attempt that is gone (a job BullMQ
 * gave up on): that also moves the token on, so the lost attempt, should it still run somewhere, can
 * write nothing more. Returns -1 when the token is stale (a newer attempt holds the entry: this one
 * records nothing and releases nothing), else 1 when it recorded the end, 0 when it was recorded before.
 */
export const RECORD_TARGET_END_FN = `
local function recordTargetEnd(stage, ledger, changedList, rollout, counts, notable, f, state, detail, changed, target, token)
  if token ~= '' and redis.call('HGET', ledger, f .. '#n') ~= token then return -1 end
  if token == '' then redis.call('HINCRBY', ledger, f .. '#n', 1) end
  local st = redis.call('HGET', ledger, f)
  if st and st ~= 'started' then return 0 end
  redis.call('HSET', ledger, f, state, f .. '#d', detail)
  if changed == '1' then redis.call('RPUSH', changedList, target) end
  redis.call('HINCRBY', stage, 'inFlight', -1)
  redis.call('HINCRBY', stage, 'ver', 1)
  if state ~= 'skipped' then
    redis.call('HINCRBY', stage, 'batchDone', 1)
    redis.call('HINCRBY', rollout, 'done', 1)
  end
  if state == 'failed' then
    redis.call('HINCRBY', stage, 'batchFailed', 1)
    redis.call('HINCRBY', rollout, 'failed', 1)
    redis.call('HINCRBY', counts, 'failed', 1)
    -- A step that failed with its checkpoint still set may have changed the host: half-changed.
    if redis.call('HEXISTS', ledger, f .. '#c') == 1 then redis.call('HINCRBY', counts, 'halfChanged', 1) end
    redis.call('SADD', notable, f)
  elseif state ~= 'skipped' then
    redis.call('HINCRBY', counts, 'ok', 1)
  end
  if changed == '1' then redis.call('HINCRBY', counts, 'changed', 1) end
  return 1
end
`;

/**
 * Lua function `stageCounters`: the counters a failure-budget verdict and a progress report need, as
 * {ver, batchTotal, batchDone, batchFailed, inFlight, runTotal, runDone, runFailed, batch}.
 */
export const STAGE_COUNTERS_FN = `
local function stageCounters(stage, rollout)
  local s = redis.call('HMGET', stage, 'ver', 'batchTotal', 'batchDone', 'batchFailed', 'inFlight', 'batch')
  local r = redis.call('HMGET', rollout, 'total', 'done', 'failed')
  return {tonumber(s[1]) or 0, tonumber(s[2]) or 0, tonumber(s[3]) or 0, tonumber(s[4]) or 0,
    tonumber(s[5]) or 0, tonumber(r[1]) or 0, tonumber(r[2]) or 0, tonumber(r[3]) or 0, tonumber(s[6]) or 0}
end
`;
