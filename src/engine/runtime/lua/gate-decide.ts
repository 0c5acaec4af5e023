import { RUN_CLOSING_LUA } from './run-closing.js';

/**
 * gateDecide: decides a waiting gate exactly once (approve, reject, or the timeout failing closed).
 * KEYS[1] run hash, KEYS[2] task-state hash, KEYS[3] gates hash, KEYS[4] outputs hash,
 * KEYS[5] the gate's approvers set (quorum)
 * ARGV[1] gateId, ARGV[2] gate state (approved | rejected | timed_out), ARGV[3] by, ARGV[4] reason,
 * ARGV[5] now, ARGV[6] task state (success | failed), ARGV[7] task error ('' = none),
 * ARGV[8] the gate's output JSON for downstream ('' = none), ARGV[9] a choice gate's option ('' = none),
 * ARGV[10] approvers needed (quorum) unless the gate recorded its own (`#quorum`, when it opened): an
 * approval short of it is recorded (`#approvers`) and the gate keeps waiting
 * ARGV[11] the plan hash the decider was shown ('' = not checked): another than the gate's `#plan` is
 * refused, so a decision made on one plan never approves another
 * The decision, the task's end and its output are written together, so downstream never sees one
 * without the others.
 * Returns {'finished'} (run over) | {'not_waiting', state, by, at, option} |
 * {'stale_plan', plan now} |
 * {'partial', approvals so far, 1 if this approver is new else 0, quorum, approvers JSON} | {'applied', remaining, runFinal,
 * abort, abortRollback, id1, state1, ...}
 */
export const GATE_DECIDE_LUA = `${RUN_CLOSING_LUA}
local runKey, tasksKey, gatesKey = KEYS[1], KEYS[2], KEYS[3]
local id = ARGV[1]
local rs = redis.call('HGET', runKey, 'state')
if (not rs) or isFinalRun(rs) then return {'finished'} end
local g = redis.call('HGET', gatesKey, id)
if g ~= 'waiting' or redis.call('HGET', tasksKey, id) ~= 'waiting' then
  local d = redis.call('HMGET', gatesKey, id .. '#by', id .. '#at', id .. '#choice')
  return {'not_waiting', g or 'pending', d[1] or '', d[2] or '', d[3] or ''}
end
local plan = redis.call('HGET', gatesKey, id .. '#plan') or ''
if ARGV[11] ~= '' and plan ~= ARGV[11] then return {'stale_plan', plan} end
local quorum = tonumber(redis.call('HGET', gatesKey, id .. '#quorum') or ARGV[10]) or 1
if quorum > 1 and ARGV[2] == 'approved' then
  local added = redis.call('SADD', KEYS[5], ARGV[3])
  local approvers = redis.call('SMEMBERS', KEYS[5])
  table.sort(approvers)
  local encoded = cjson.encode(approvers)
  redis.call('HSET', gatesKey, id .. '#approvers', encoded)
  if #approvers < quorum then return {'partial', #approvers, added, quorum, encoded} end
end
redis.call('HSET', gatesKey, id, ARGV[2], id .. '#by', ARGV[3], id .. '#at', ARGV[5], id .. '#reason', ARGV[4])
if ARGV[9] ~= '' then redis.call('HSET', gatesKey, id .. '#choice', ARGV[9]) end
if ARGV[8] ~= '' then redis.call('HSET', KEYS[4], id, ARGV[8]) end
redis.call('HSET', tasksKey, id, ARGV[6], id .. '#f', ARGV[5])
if ARGV[7] ~= '' then redis.call('HSET', tasksKey, id .. '#e', ARGV[7]) end
local remaining = redis.call('HINCRBY', runKey, 'remaining', -1)
local final = closeRunIfDone(runKey, tasksKey, remaining, ARGV[5])
local flags = redis.call('HMGET', runKey, 'abort', 'abortRollback')
local out = {'applied', remaining, final, flags[1] or '', flags[2] or ''}
local states = taskStates(tasksKey)
for i = 1, #states do out[#out + 1] = states[i] end
return out
`;
