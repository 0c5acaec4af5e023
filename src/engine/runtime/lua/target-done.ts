/**
 * targetDone: records a target's end in the ledger and the stage's counters, once.
 * KEYS[1] stage hash, KEYS[2] ledger hash, KEYS[3] changed-targets list, KEYS[4] rollout hash,
 * KEYS[5] the run's host counters (`ok` | `failed` | `changed`, keys.ts hostCounts), KEYS[6] its notable set
 * ARGV[1] ledger field, ARGV[2] ledger state (applied | failed | planned | skipped), ARGV[3] detail JSON,
 * ARGV[4] changed '1' | '0', ARGV[5] target, ARGV[6] the attempt's fencing token (see targetBegin), or ''
 * when the engine ends the work of an attempt that is gone (a job BullMQ gave up on): that also moves the
 * token on, so the lost attempt, should it still run somewhere, can write nothing more.
 * Returns {-1} when the token is stale (a newer attempt holds the entry: this one records nothing and
 * releases nothing), else {recorded 0|1, ver, batchTotal, batchDone, batchFailed, inFlight, runTotal, runDone, runFailed, batch}
 */
export const TARGET_DONE_LUA = `
local f = ARGV[1]
if ARGV[6] ~= '' and redis.call('HGET', KEYS[2], f .. '#n') ~= ARGV[6] then return {-1} end
if ARGV[6] == '' then redis.call('HINCRBY', KEYS[2], f .. '#n', 1) end
local st = redis.call('HGET', KEYS[2], f)
local recorded = 0
if (not st) or st == 'started' then
  recorded = 1
  redis.call('HSET', KEYS[2], f, ARGV[2], f .. '#d', ARGV[3])
  if ARGV[4] == '1' then redis.call('RPUSH', KEYS[3], ARGV[5]) end
  redis.call('HINCRBY', KEYS[1], 'inFlight', -1)
  redis.call('HINCRBY', KEYS[1], 'ver', 1)
  if ARGV[2] ~= 'skipped' then
    redis.call('HINCRBY', KEYS[1], 'batchDone', 1)
    redis.call('HINCRBY', KEYS[4], 'done', 1)
  end
  if ARGV[2] == 'failed' then
    redis.call('HINCRBY', KEYS[1], 'batchFailed', 1)
    redis.call('HINCRBY', KEYS[4], 'failed', 1)
    redis.call('HINCRBY', KEYS[5], 'failed', 1)
    redis.call('SADD', KEYS[6], f)
  elseif ARGV[2] ~= 'skipped' then
    redis.call('HINCRBY', KEYS[5], 'ok', 1)
  end
  if ARGV[4] == '1' then redis.call('HINCRBY', KEYS[5], 'changed', 1) end
end
local s = redis.call('HMGET', KEYS[1], 'ver', 'batchTotal', 'batchDone', 'batchFailed', 'inFlight', 'batch')
local r = redis.call('HMGET', KEYS[4], 'total', 'done', 'failed')
return {recorded, tonumber(s[1]) or 0, tonumber(s[2]) or 0, tonumber(s[3]) or 0, tonumber(s[4]) or 0,
  tonumber(s[5]) or 0, tonumber(r[1]) or 0, tonumber(r[2]) or 0, tonumber(r[3]) or 0, tonumber(s[6]) or 0}
`;
