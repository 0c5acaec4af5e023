/**
 * targetCheckpoint: a step attempt records what it is about to do to its target (or, with '', that it
 * undid it), kept with the `started` entry and handed to `check` and `rollback` after a crash. Fenced:
 * only the attempt holding the entry's current token may write, and only while the entry is `started`.
 * KEYS[1] ledger hash
 * ARGV[1] ledger field, ARGV[2] the attempt's token, ARGV[3] checkpoint JSON ('' = clear)
 * Returns 1 (recorded) | 0 (superseded: a newer attempt holds the entry, or it was recorded)
 */
export const TARGET_CHECKPOINT_LUA = `
local f = ARGV[1]
if redis.call('HGET', KEYS[1], f .. '#n') ~= ARGV[2] or redis.call('HGET', KEYS[1], f) ~= 'started' then
  return 0
end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], f .. '#c') else redis.call('HSET', KEYS[1], f .. '#c', ARGV[3]) end
return 1
`;
