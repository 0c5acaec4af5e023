import { RUN_CLOSING_LUA } from './run-closing.js';

/**
 * runAbort: marks the run aborted (no target starts from now on) and ends what holds no worker:
 * waiting gates are rejected, held stages fail. In-flight work finishes by itself.
 * KEYS[1] run hash, KEYS[2] task-state hash, KEYS[3] gates hash
 * ARGV[1] by, ARGV[2] rollback '1' | '0', ARGV[3] now, ARGV[4] error text for the ended tasks
 * Returns {'finished'} | {'already'} | {'ok', remaining, runFinal, ended taskIds...}
 */
export const RUN_ABORT_LUA = `${RUN_CLOSING_LUA}
local runKey, tasksKey = KEYS[1], KEYS[2]
local rs = redis.call('HGET', runKey, 'state')
if (not rs) or isFinalRun(rs) then return {'finished'} end
if redis.call('HGET', runKey, 'abort') == '1' then return {'already'} end
redis.call('HSET', runKey, 'abort', '1', 'abortBy', ARGV[1], 'abortRollback', ARGV[2], 'hold', '0', 'state', 'running')
local ended = {}
local remaining = tonumber(redis.call('HGET', runKey, 'remaining')) or 0
local states = taskStates(tasksKey)
for i = 1, #states, 2 do
  local id, st = states[i], states[i + 1]
  if st == 'waiting' or st == 'held' then
    redis.call('HSET', tasksKey, id, 'failed', id .. '#f', ARGV[3], id .. '#e', ARGV[4])
    if st == 'waiting' then
      redis.call('HSET', KEYS[3], id, 'rejected', id .. '#by', ARGV[1], id .. '#at', ARGV[3], id .. '#reason', 'run aborted')
    end
    remaining = redis.call('HINCRBY', runKey, 'remaining', -1)
    ended[#ended + 1] = id
  end
end
local final = closeRunIfDone(runKey, tasksKey, remaining, ARGV[3])
local out = {'ok', remaining, final}
for i = 1, #ended do out[#out + 1] = ended[i] end
return out
`;
