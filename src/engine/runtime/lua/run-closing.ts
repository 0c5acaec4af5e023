/**
 * Lua shared by the scripts that move a task to a final state: decrements the run's count of tasks
 * not yet final and, when it reaches zero, closes the run exactly once (the caller learns the end).
 * Expects `runKey` and `tasksKey` in scope as locals of the including script.
 */
export const RUN_CLOSING_LUA = `
local function isFinalTask(s)
  return s == 'success' or s == 'failed' or s == 'skipped' or s == 'upstream_failed'
end
local function isFinalRun(s)
  return s == 'succeeded' or s == 'failed' or s == 'aborted'
end
local function taskStates(tasksKey)
  local all = redis.call('HGETALL', tasksKey)
  local out = {}
  for i = 1, #all, 2 do
    if not string.find(all[i], '#', 1, true) then
      out[#out + 1] = all[i]
      out[#out + 1] = all[i + 1]
    end
  end
  return out
end
local function closeRunIfDone(runKey, tasksKey, remaining, now)
  if remaining > 0 then return '' end
  local st = redis.call('HGET', runKey, 'state')
  if (not st) or isFinalRun(st) then return '' end
  local final = 'succeeded'
  if redis.call('HGET', runKey, 'abort') == '1' then
    final = 'aborted'
  else
    local states = taskStates(tasksKey)
    for i = 2, #states, 2 do
      if states[i] == 'failed' or states[i] == 'upstream_failed' then final = 'failed' end
    end
  end
  redis.call('HSET', runKey, 'state', final, 'finishedAt', now)
  return final
end
`;
