/**
 * taskBegin: a job starts (or restarts, after a stalled worker) a task.
 * KEYS[1] run hash, KEYS[2] task-state hash
 * ARGV[1] taskId, ARGV[2] now (ISO), ARGV[3] the BullMQ job id (kept as `#j`: the reconciler checks the job
 * that holds a running task still exists)
 * Returns {verdict, attempt, previousState, abort, abortRollback}: verdict `run` (state is now
 * `running`, attempt incremented), `skip` (the task is not runnable: already final, waiting, held),
 * or `gone` (the run is over).
 */
export const TASK_BEGIN_LUA = `
local rs = redis.call('HGET', KEYS[1], 'state')
if rs ~= 'running' and rs ~= 'held' then return {'gone', 0, '', '', ''} end
local st = redis.call('HGET', KEYS[2], ARGV[1])
if st ~= 'queued' and st ~= 'running' and st ~= 'up_for_retry' then return {'skip', 0, st or '', '', ''} end
local attempt = redis.call('HINCRBY', KEYS[2], ARGV[1] .. '#a', 1)
redis.call('HSET', KEYS[2], ARGV[1], 'running', ARGV[1] .. '#s', ARGV[2], ARGV[1] .. '#j', ARGV[3])
local flags = redis.call('HMGET', KEYS[1], 'abort', 'abortRollback')
return {'run', attempt, st, flags[1] or '', flags[2] or ''}
`;
