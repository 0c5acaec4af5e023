import type { Redis } from 'ioredis';
import type { AuditEntryInput } from '../audit/audit-entry.js';
import { describeFreeze, type ChangeFreeze } from '../control/change-freeze.js';
import type { ScheduledRun } from '../control/run-schedules.js';
import type { Engine } from '../engine/engine.js';
import type { Logger } from '../log/index.js';

export interface ScheduledFireDeps {
  engine: Pick<Engine, 'start'>;
  freeze: ChangeFreeze;
  audit: { append(entry: AuditEntryInput): Promise<void> };
  redis: Pick<Redis, 'set'>;
  prefix: string;
  /** Posts a note in the schedule's channel (Slack). */
  say: (channel: string, text: string) => Promise<void>;
  logger: Logger;
}

/**
 * One fire of a schedule: skipped (with a note in its channel) during a freeze, else a run started as
 * the schedule's requester; it waits at its approval gate like any other. A fire is acted on once even
 * if its job is retried after a crash (a Redis key per fire).
 */
export function scheduledFire(deps: ScheduledFireDeps) {
  return async (run: ScheduledRun, firedAt: number): Promise<void> => {
    const fired = new Date(firedAt).toISOString();
    const claimed = await deps.redis.set(
      `${deps.prefix}:schedule-fired:${run.id}:${firedAt}`,
      '1',
      'EX',
      7 * 86_400,
      'NX',
    );
    if (claimed !== 'OK') return;
    const freeze = await deps.freeze.current();
    if (freeze && !run.dryRun) {
      await deps.audit.append({
        at: new Date().toISOString(),
        kind: 'schedule.skipped',
        actor: `schedule:${run.id}`,
        data: { id: run.id, workflow: run.workflow, firedAt: fired, freeze: describeFreeze(freeze) },
      });
      await deps
        .say(
          run.channel,
          `:snowflake: Scheduled run \`${run.id}\` (\`${run.workflow} ${run.words.join(' ')}\`) skipped: ${describeFreeze(freeze)}.`,
        )
        .catch((err: unknown) => deps.logger.warn({ err, schedule: run.id }, 'could not post the skip note'));
      return;
    }
    const runId = await deps.engine.start({
      workflow: run.workflow,
      params: run.params,
      requester: run.requester,
      dryRun: run.dryRun,
      meta: {
        channel: run.channel,
        command: `schedule ${run.id}: ${run.workflow} ${run.words.join(' ')}`.trim(),
        schedule: run.id,
        firedAt: fired,
      },
    });
    await deps.audit.append({
      runId,
      at: new Date().toISOString(),
      kind: 'schedule.fired',
      actor: `schedule:${run.id}`,
      data: { id: run.id, workflow: run.workflow, firedAt: fired, requester: run.requester },
    });
  };
}
