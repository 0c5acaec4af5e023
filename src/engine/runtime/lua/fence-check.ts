/**
 * fenceCheck: whether an attempt still owns its work, read before an effect the engine cannot fence in
 * its own scripts (an audit record through an injected sink).
 * KEYS[1] ledger hash (target attempts) or task-state hash (task attempts)
 * ARGV[1] 'target' | 'task', ARGV[2] ledger field or task id, ARGV[3] token (target) or attempt (task)
 * Returns 1 (still the owner) | 0 (superseded)
 */
export const FENCE_CHECK_LUA = `
if ARGV[1] == 'target' then
  if redis.call('HGET', KEYS[1], ARGV[2] .. '#n') == ARGV[3] and redis.call('HGET', KEYS[1], ARGV[2]) == 'started' then
    return 1
  end
  return 0
end
if redis.call('HGET', KEYS[1], ARGV[2]) == 'running' and redis.call('HGET', KEYS[1], ARGV[2] .. '#a') == ARGV[3] then
  return 1
end
return 0
`;
