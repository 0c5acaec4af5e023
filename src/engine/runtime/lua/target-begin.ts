/**
 * targetBegin: a host job looks at the ledger before touching its target.
 * KEYS[1] run hash, KEYS[2] stage hash, KEYS[3] ledger hash
 * ARGV[1] ledger field (<taskId>|<target>), ARGV[2] detail JSON for a fresh `started` entry
 * Returns {'apply', token} (ledger now `started`) | {'reconcile', detail, token, checkpoint} (a worker died
 * or was superseded mid-step: check the host) | {'done', released} (already recorded: never run again;
 * `released` says whether its slot in the batch was released too) | {'halted'} (budget breached or run
 * aborted: do not start).
 * `token` is the attempt's fencing token (`#n`, one more per attempt): every later write of this entry
 * (checkpoint, end) names it, and is refused once a newer attempt took the entry over. `checkpoint` is
 * what the step recorded before its side effects (`#c`, '' when none).
 */
export const TARGET_BEGIN_LUA = `
local f = ARGV[1]
local st = redis.call('HGET', KEYS[3], f)
if st == 'started' then
  local token = redis.call('HINCRBY', KEYS[3], f .. '#n', 1)
  return {'reconcile', redis.call('HGET', KEYS[3], f .. '#d') or '{}', tostring(token),
    redis.call('HGET', KEYS[3], f .. '#c') or ''}
end
if st then return {'done', redis.call('HGET', KEYS[3], f .. '#r') or ''} end
if redis.call('HGET', KEYS[2], 'halted') or redis.call('HGET', KEYS[1], 'abort') == '1' then return {'halted'} end
redis.call('HSET', KEYS[3], f, 'started', f .. '#d', ARGV[2])
local token = redis.call('HINCRBY', KEYS[3], f .. '#n', 1)
return {'apply', tostring(token)}
`;
