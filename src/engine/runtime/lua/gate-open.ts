/**
 * gateOpen: the gate task, running, starts waiting for a decision; it holds no worker from here on.
 * KEYS[1] task-state hash, KEYS[2] gates hash
 * ARGV[1] gateId (= taskId), ARGV[2] attempt, ARGV[3] evidence JSON, ARGV[4] expiresAt,
 * ARGV[5] the plan's hash (what a decision approves), ARGV[6] approvers needed
 * Returns 1 when the gate is now waiting, 0 when this attempt no longer holds the task.
 */
export const GATE_OPEN_LUA = `
local id = ARGV[1]
if redis.call('HGET', KEYS[1], id) ~= 'running' or redis.call('HGET', KEYS[1], id .. '#a') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], id, 'waiting')
redis.call('HSET', KEYS[2], id, 'waiting', id .. '#evidence', ARGV[3], id .. '#expiresAt', ARGV[4],
  id .. '#plan', ARGV[5], id .. '#quorum', ARGV[6])
return 1
`;

/**
 * gateReplan: the plan under a waiting gate changed; the gate now asks about the new one.
 * KEYS[1] gates hash, KEYS[2] the gate's approvers set
 * ARGV[1] gateId, ARGV[2] the plan hash the caller saw recorded, ARGV[3] the new plan hash,
 * ARGV[4] the evidence gathered for it
 * Approvals given so far were for the old plan: dropped. Returns 1 when replaced, 0 when the gate is no
 * longer waiting or another process replaced the plan first.
 */
export const GATE_REPLAN_LUA = `
local id = ARGV[1]
if redis.call('HGET', KEYS[1], id) ~= 'waiting' then return 0 end
if (redis.call('HGET', KEYS[1], id .. '#plan') or '') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], id .. '#plan', ARGV[3], id .. '#evidence', ARGV[4])
redis.call('HDEL', KEYS[1], id .. '#approvers')
redis.call('DEL', KEYS[2])
return 1
`;
