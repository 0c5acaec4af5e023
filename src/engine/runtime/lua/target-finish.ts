import { RELEASE_FIELDS, RELEASE_SLOT_FN } from './stage-release.js';
import { RECORD_TARGET_END_FN, STAGE_COUNTERS_FN } from './record-target-end.js';

/**
 * Lua function `overBudget`: failure-budget.ts's `budgetVerdict` for one scope (failed share strictly
 * above the limit, compared as failed * 100 > limit * total). Both compute in IEEE doubles, so they agree;
 * a property test holds them to it.
 */
export const OVER_BUDGET_FN = `
local function overBudget(failed, total, limit)
  return total > 0 and failed > 0 and failed * 100 > limit * total
end
`;

/**
 * targetFinish: a host step's end in one round trip, for the common case. Records the end
 * (`recordTargetEnd`); then, if the failure budget holds on the counters as they now are, releases the
 * slot (`releaseSlot`) in the same script, so no other end can come in between and no version check is
 * needed. A budget that looks breached is left to the caller (`judge`): it words the reason and releases
 * through stageRelease, as rare as failures are.
 * KEYS[1] run hash, KEYS[2] stage hash, KEYS[3] stage queue, KEYS[4] ledger hash, KEYS[5] changed-targets
 * list, KEYS[6] rollout hash, KEYS[7] host counters, KEYS[8] notable set
 * ARGV[1..6] as recordTargetEnd's (field, state, detail, changed, target, token),
 * ARGV[7] max failed percent per batch, ARGV[8] max failed percent in all, ARGV[9] the id of the job
 * that goes on with the first target it hands out ('' = none: every next target gets a job of its own).
 * That target's ledger field \`#h\` then names the job holding it (the reconciler asks that job, not the
 * target's own, whether the target is worked on); a recorded end drops its own \`#h\`.
 * Returns {-1} (stale token: nothing recorded or released) |
 * {recorded 0|1, <stageCounters as the end left them>, 'judge'} |
 * {recorded, <stageCounters>, 'ok', next targets...} | {recorded, <stageCounters>, 'batch_done', reason, abort}
 */
export const TARGET_FINISH_LUA = `${RECORD_TARGET_END_FN}${STAGE_COUNTERS_FN}${RELEASE_SLOT_FN}${OVER_BUDGET_FN}
local recorded = recordTargetEnd(KEYS[2], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8],
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
if recorded == -1 then return {-1} end
redis.call('HDEL', KEYS[4], ARGV[1] .. '#h')
local c = stageCounters(KEYS[2], KEYS[6])
local out = {recorded}
for i = 1, #c do out[#out + 1] = c[i] end
local verdict
if redis.call('HGET', KEYS[4], ARGV[1] .. '#r') then
  verdict = {'ok'}
elseif overBudget(c[4], c[2], tonumber(ARGV[7])) or overBudget(c[8], c[6], tonumber(ARGV[8])) then
  verdict = {'judge'}
else
  local s = redis.call('HMGET', KEYS[2], ${RELEASE_FIELDS})
  verdict = releaseSlot(KEYS[1], KEYS[2], KEYS[3], KEYS[4], s, '0', '', ARGV[1])
  if (ARGV[9] or '') ~= '' and verdict[1] == 'ok' and verdict[2] then
    redis.call('HSET', KEYS[4], string.match(ARGV[1], '^[^|]*') .. '|' .. verdict[2] .. '#h', ARGV[9])
  end
end
for i = 1, #verdict do out[#out + 1] = verdict[i] end
return out
`;
