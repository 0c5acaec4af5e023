import { RUN_CLOSING_LUA } from './run-closing.js';

/**
 * transition: trigger rules decided, move pending tasks on: pending → queued | skipped | upstream_failed.
 * Several processes may decide the same task at once; only the first compare-and-set wins, and only
 * the winner enqueues the task's job.
 * KEYS[1] run hash, KEYS[2] task-state hash
 * ARGV[1] now, then pairs ARGV[2k] taskId, ARGV[2k+1] new state
 * Returns {remaining, runFinal ('' while running), won taskIds...}
 */
export const TRANSITION_LUA = `${RUN_CLOSING_LUA}
local runKey, tasksKey = KEYS[1], KEYS[2]
local won = {}
local remaining = tonumber(redis.call('HGET', runKey, 'remaining')) or 0
for i = 2, #ARGV, 2 do
  local id, to = ARGV[i], ARGV[i + 1]
  if redis.call('HGET', tasksKey, id) == 'pending' then
    redis.call('HSET', tasksKey, id, to)
    if isFinalTask(to) then
      redis.call('HSET', tasksKey, id .. '#f', ARGV[1])
      remaining = redis.call('HINCRBY', runKey, 'remaining', -1)
    end
    won[#won + 1] = id
  end
end
local final = closeRunIfDone(runKey, tasksKey, remaining, ARGV[1])
local out = {remaining, final}
for i = 1, #won do out[#out + 1] = won[i] end
return out
`;
