import { RUN_CLOSING_LUA } from './run-closing.js';

/**
 * taskFinish: compare-and-set of one task's state, e.g. running → success. Only the attempt that
 * holds the task may finish it, so a task redelivered after a stall cannot be finished twice.
 * KEYS[1] run hash, KEYS[2] task-state hash, KEYS[3] outputs hash
 * ARGV[1] taskId, ARGV[2] expected current states (comma separated), ARGV[3] new state,
 * ARGV[4] attempt ('' = any), ARGV[5] now, ARGV[6] error ('' = none), ARGV[7] output JSON ('' = none),
 * ARGV[8] the tasks whose states the caller needs ('|' separated: the task's downstream and their
 * upstream; '' = every task). Reading only those keeps a hop's cost the same in a run of a thousand tasks.
 * Returns {applied 0|1, remaining, runFinal ('' while running), abort, abortRollback, id1, state1, ...}
 */
export const TASK_FINISH_LUA = `${RUN_CLOSING_LUA}
local runKey, tasksKey = KEYS[1], KEYS[2]
local id = ARGV[1]
local st = redis.call('HGET', tasksKey, id)
local ok = false
for s in string.gmatch(ARGV[2], '[^,]+') do if s == st then ok = true end end
if ok and ARGV[4] ~= '' and redis.call('HGET', tasksKey, id .. '#a') ~= ARGV[4] then ok = false end
local flags = redis.call('HMGET', runKey, 'abort', 'abortRollback', 'remaining')
if not ok then return {0, tonumber(flags[3]) or 0, '', flags[1] or '', flags[2] or ''} end
redis.call('HSET', tasksKey, id, ARGV[3])
if ARGV[6] ~= '' then redis.call('HSET', tasksKey, id .. '#e', ARGV[6]) end
if ARGV[7] ~= '' then redis.call('HSET', KEYS[3], id, ARGV[7]) end
local remaining = tonumber(flags[3]) or 0
local final = ''
if isFinalTask(ARGV[3]) then
  redis.call('HSET', tasksKey, id .. '#f', ARGV[5])
  remaining = redis.call('HINCRBY', runKey, 'remaining', -1)
  final = closeRunIfDone(runKey, tasksKey, remaining, ARGV[5])
end
local out = {1, remaining, final, flags[1] or '', flags[2] or ''}
local states = {}
if ARGV[8] == nil or ARGV[8] == '' then
  states = taskStates(tasksKey)
else
  local ids = {}
  for t in string.gmatch(ARGV[8], '[^|]+') do ids[#ids + 1] = t end
  local got = redis.call('HMGET', tasksKey, unpack(ids))
  for i = 1, #ids do
    if got[i] then
      states[#states + 1] = ids[i]
      states[#states + 1] = got[i]
    end
  end
end
for i = 1, #states do out[#out + 1] = states[i] end
return out
`;
