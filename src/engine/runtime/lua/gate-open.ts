/**
 * gateOpen: the gate task, running, starts waiting for a decision; it holds no worker from here on.
 * KEYS[1] task-state hash, KEYS[2] gates hash
 * ARGV[1] gateId (= taskId), ARGV[2] attempt, ARGV[3] evidence JSON, ARGV[4] expiresAt
 * Returns 1 when the gate is now waiting, 0 when this attempt no longer holds the task.
 */
export const GATE_OPEN_LUA = `
local id = ARGV[1]
if redis.call('HGET', KEYS[1], id) ~= 'running' or redis.call('HGET', KEYS[1], id .. '#a') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], id, 'waiting')
redis.call('HSET', KEYS[2], id, 'waiting', id .. '#evidence', ARGV[3], id .. '#expiresAt', ARGV[4])
return 1
`;
