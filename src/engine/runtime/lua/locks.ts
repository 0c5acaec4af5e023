/**
 * lockAcquire: takes named locks all or none.
 * KEYS[1..n] lock hashes, KEYS[n+1] the run's lock set, KEYS[n+2] the lock registry set
 * ARGV[1] owner (runId), ARGV[2] reason, ARGV[3] ttl ms, ARGV[4] expiresAt, ARGV[5..] lock names
 * Returns {'ok'} | {'conflict', name, holder, holderReason}
 */
export const LOCK_ACQUIRE_LUA = `
local n = #KEYS - 2
for i = 1, n do
  local h = redis.call('HMGET', KEYS[i], 'owner', 'reason')
  if h[1] and h[1] ~= ARGV[1] then return {'conflict', ARGV[4 + i], h[1], h[2] or ''} end
end
for i = 1, n do
  redis.call('HSET', KEYS[i], 'owner', ARGV[1], 'reason', ARGV[2], 'expiresAt', ARGV[4], 'name', ARGV[4 + i])
  redis.call('PEXPIRE', KEYS[i], ARGV[3])
  redis.call('SADD', KEYS[n + 1], ARGV[4 + i])
  redis.call('SADD', KEYS[n + 2], ARGV[4 + i])
end
return {'ok'}
`;

/**
 * lockRelease: drops the locks a run holds (only those it still owns).
 * KEYS[1..n] lock hashes, KEYS[n+1] the run's lock set, KEYS[n+2] the lock registry set
 * ARGV[1] owner, ARGV[2..] lock names. Returns how many were released.
 */
export const LOCK_RELEASE_LUA = `
local n = #KEYS - 2
local released = 0
for i = 1, n do
  if redis.call('HGET', KEYS[i], 'owner') == ARGV[1] then
    redis.call('DEL', KEYS[i])
    released = released + 1
  end
  redis.call('SREM', KEYS[n + 2], ARGV[1 + i])
end
redis.call('DEL', KEYS[n + 1])
return released
`;

/**
 * lockSweep: renews the locks of runs still active and drops those of finished (or vanished) runs, so
 * a run's locks outlive a gate wait and never outlive the run. Builds lock and run keys itself from
 * ARGV[1] (single-instance Redis only; Marshal does not run on Redis Cluster).
 * KEYS[1] lock registry set; ARGV[1] prefix, ARGV[2] ttl ms, ARGV[3] expiresAt. Returns locks kept.
 */
export const LOCK_SWEEP_LUA = `
local kept = 0
for _, name in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[1] .. ':lock:' .. name
  local owner = redis.call('HGET', key, 'owner')
  local st = owner and redis.call('HGET', ARGV[1] .. ':run:' .. owner, 'state')
  if (not owner) or (not st) or st == 'succeeded' or st == 'failed' or st == 'aborted' then
    if owner then redis.call('DEL', key) end
    redis.call('SREM', KEYS[1], name)
  else
    redis.call('PEXPIRE', key, ARGV[2])
    redis.call('HSET', key, 'expiresAt', ARGV[3])
    kept = kept + 1
  end
end
return kept
`;
