import type { CompiledTask } from '../dag/workflow-definition.js';
import type { HostStepContext, TaskContext } from '../model/workflow.js';
import { ledgerField } from './keys.js';
import { LedgerDetail } from './ledger.js';
import { errorText, nowIso, type Runtime } from './runtime.js';
import type { RunInfo } from './run-info.js';
import { finishTask } from './scheduler.js';
import { withTimeout } from './with-timeout.js';

export type RollbackTask = Extract<CompiledTask<unknown>, { kind: 'rollback' }>;

/**
 * Restores exactly the targets the ledger says the rollout changed, newest first, and records each as
 * `rolled_back` (so a redelivered job does not roll a target back twice).
 */
export async function runRollback(
  rt: Runtime,
  info: RunInfo,
  task: RollbackTask,
  attempt: number,
  ctx: TaskContext<unknown>,
): Promise<void> {
  const { runId } = info;
  const stage = [...info.def.tasks.values()].find((t) => t.kind === 'stage' && t.rolloutId === task.of);
  if (!stage || stage.kind !== 'stage') {
    await finishTask(rt, info, task.id, {
      from: ['running'],
      to: 'failed',
      attempt,
      error: `no rollout ${task.of} to roll back`,
    });
    return;
  }
  const step = stage.rollout.step;
  const changed = (await rt.redis.lrange(rt.keys.changed(runId, task.of), 0, -1)).reverse();
  const rolledBack: string[] = [];
  const errors: string[] = [];
  for (const target of changed) {
    const fields = [ledgerField(`${task.of}.batches`, target), ledgerField(`${task.of}.canary`, target)];
    for (const field of fields) {
      const state = await rt.redis.hget(rt.keys.ledger(runId), field);
      if (state !== 'applied') continue;
      const detail = LedgerDetail.parse(
        JSON.parse((await rt.redis.hget(rt.keys.ledger(runId), `${field}#d`)) ?? '{}'),
      );
      if (!detail.changed) continue;
      try {
        const hctx: HostStepContext<unknown> = {
          ...ctx,
          target,
          host: rt.resolveTarget(target),
          stage: { kind: detail.stage, index: detail.batchIndex },
        };
        if (step.rollback)
          await withTimeout(`${task.id}:${target}`, task.timeoutMs ?? step.timeoutMs, (signal) =>
            step.rollback!({ ...hctx, signal }, detail.data as never),
          );
        await rt.redis.hset(
          rt.keys.ledger(runId),
          field,
          'rolled_back',
          `${field}#d`,
          JSON.stringify({ ...detail, rolledBackAt: nowIso() }),
        );
        rolledBack.push(target);
      } catch (err) {
        errors.push(`${target}: ${errorText(err)}`);
      }
      break;
    }
  }
  if (errors.length > 0) {
    await finishTask(rt, info, task.id, {
      from: ['running'],
      to: 'failed',
      attempt,
      error: `rollback failed on ${errors.join('; ')}`,
      output: { rolledBack },
    });
    return;
  }
  await finishTask(rt, info, task.id, { from: ['running'], to: 'success', attempt, output: { rolledBack } });
}
