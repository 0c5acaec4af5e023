import type { ChainableCommander, Redis } from 'ioredis';
import { GATE_DECIDE_LUA } from './gate-decide.js';
import { GATE_OPEN_LUA, GATE_REPLAN_LUA } from './gate-open.js';
import { LOCK_ACQUIRE_LUA, LOCK_RELEASE_LUA, LOCK_SWEEP_LUA } from './locks.js';
import { RUN_ABORT_LUA } from './run-abort.js';
import { RUN_HOLD_LUA } from './run-hold.js';
import { RUN_ROLLBACK_LUA } from './run-rollback.js';
import { STAGE_RELEASE_LUA } from './stage-release.js';
import { STAGE_START_BATCH_LUA } from './stage-start-batch.js';
import { FENCE_CHECK_LUA } from './fence-check.js';
import { ROLLBACK_MARK_LUA } from './rollback-mark.js';
import { TARGET_BEGIN_LUA } from './target-begin.js';
import { TARGET_CHECKPOINT_LUA } from './target-checkpoint.js';
import { TARGET_FINISH_LUA } from './target-finish.js';
import { TASK_BEGIN_LUA } from './task-begin.js';
import { TASK_FINISH_LUA } from './task-finish.js';
import { TRANSITION_LUA } from './transition.js';

const SCRIPTS = {
  marshalTaskBegin: TASK_BEGIN_LUA,
  marshalTaskFinish: TASK_FINISH_LUA,
  marshalTransition: TRANSITION_LUA,
  marshalGateOpen: GATE_OPEN_LUA,
  marshalGateDecide: GATE_DECIDE_LUA,
  marshalGateReplan: GATE_REPLAN_LUA,
  marshalStageStartBatch: STAGE_START_BATCH_LUA,
  marshalTargetBegin: TARGET_BEGIN_LUA,
  marshalTargetFinish: TARGET_FINISH_LUA,
  marshalTargetCheckpoint: TARGET_CHECKPOINT_LUA,
  marshalFenceCheck: FENCE_CHECK_LUA,
  marshalRollbackMark: ROLLBACK_MARK_LUA,
  marshalStageRelease: STAGE_RELEASE_LUA,
  marshalRunAbort: RUN_ABORT_LUA,
  marshalRunHold: RUN_HOLD_LUA,
  marshalRunRollback: RUN_ROLLBACK_LUA,
  marshalLockAcquire: LOCK_ACQUIRE_LUA,
  marshalLockRelease: LOCK_RELEASE_LUA,
  marshalLockSweep: LOCK_SWEEP_LUA,
} as const;

export type ScriptName = keyof typeof SCRIPTS;
type Arg = string | number;

/** The engine's Lua scripts, loaded once per connection (EVALSHA, falling back to EVAL). */
export class Scripts {
  constructor(private readonly redis: Redis) {
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      if (!(name in redis)) redis.defineCommand(name, { lua });
    }
  }

  run<T = unknown>(name: ScriptName, keys: string[], args: Arg[]): Promise<T> {
    const fn = (this.redis as unknown as Record<string, (...a: Arg[]) => Promise<T>>)[name];
    if (!fn) throw new Error(`script ${name} is not defined`);
    return fn.call(this.redis, keys.length, ...keys, ...args);
  }

  /** Queues the script on a pipeline (one round trip with the pipeline's other commands). */
  onPipeline(
    pipeline: ChainableCommander,
    name: ScriptName,
    keys: string[],
    args: Arg[],
  ): ChainableCommander {
    const fn = (pipeline as unknown as Record<string, (...a: Arg[]) => ChainableCommander>)[name];
    if (!fn) throw new Error(`script ${name} is not defined`);
    return fn.call(pipeline, keys.length, ...keys, ...args);
  }
}
