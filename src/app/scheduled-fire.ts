import type { Redis } from 'ioredis';
import type { AuditEntryInput } from '../audit/audit-entry.js';
import { describeFreeze, type ChangeFreeze } from '../control/change-freeze.js';
import { fireRetryable, type FireAttempt, type ScheduledRun } from '../control/run-schedules.js';
import { scrubSecrets } from '../log/index.js';
import type { Engine } from '../engine/engine.js';
import type { Logger } from '../log/index.js';

export interface ScheduledFireDeps {
  engine: Pick<Engine, 'start'>;
  freeze: ChangeFreeze;
  audit: { append(entry: AuditEntryInput): Promise<void> };
  redis: Pick<Redis, 'set' | 'del'>;
  prefix: string;
  /**
   * The admission every run goes through (src/control/admit-run.ts: per-target access of the schedule's
   * requester); throws what refuses the run. Absent: admitted.
   */
  admit?: (run: ScheduledRun) => Promise<unknown>;
  /** Posts a note in the schedule's channel (Slack). */
  say: (channel: string, text: string) => Promise<void>;
  logger: Logger;
}

/**
 * One fire of a schedule: skipped (with a note in its channel) during a freeze, else a run started as
 * the schedule's requester, admitted as any run; it waits at its approval gate like any other. A fire is
 * acted on once even if its job is retried after a crash (a Redis key per fire). A fire that did not
 * start is audited; a passing error is tried again by BullMQ (the claim is given back), and when Marshal
 * gives up (a refusal, or the last try) a note says so in the channel.
 */
export function scheduledFire(deps: ScheduledFireDeps) {
  const note = (run: ScheduledRun, text: string): Promise<void> =>
    deps
      .say(run.channel, text)
      .catch((err: unknown) => deps.logger.warn({ err, schedule: run.id }, 'could not post a schedule note'));
  return async (run: ScheduledRun, firedAt: number, attempt?: FireAttempt): Promise<void> => {
    const fired = new Date(firedAt).toISOString();
    const claim = `${deps.prefix}:schedule-fired:${run.id}:${firedAt}`;
    const claimed = await deps.redis.set(claim, '1', 'EX', 7 * 86_400, 'NX');
    if (claimed !== 'OK') return;
    try {
      await startFire(deps, run, fired);
    } catch (err) {
      // Not started: the claim goes, so that BullMQ's next try of this fire may act on it.
      await deps.redis.del(claim).catch(() => undefined);
      const again = fireRetryable(err) && attempt !== undefined && attempt.number < attempt.of;
      const why = scrubSecrets(err instanceof Error ? err.message : String(err));
      await deps.audit
        .append({
          at: new Date().toISOString(),
          kind: again ? 'schedule.retrying' : 'schedule.failed',
          actor: `schedule:${run.id}`,
          data: {
            id: run.id,
            workflow: run.workflow,
            firedAt: fired,
            error: why,
            attempt: attempt?.number ?? 1,
          },
        })
        .catch((e: unknown) =>
          deps.logger.warn({ err: e, schedule: run.id }, 'could not audit a failed fire'),
        );
      deps.logger.warn({ err, schedule: run.id, attempt, again }, 'scheduled run did not start');
      // One note when Marshal gives up on the fire (a refusal, or the last try), not one per try.
      if (!again)
        await note(
          run,
          `:x: Scheduled run \`${run.id}\` (\`${run.workflow} ${run.words.join(' ')}\`) did not start${attempt && attempt.number > 1 ? ` after ${attempt.number} tries` : ''}: ${why}`,
        );
      throw err;
    }
  };

  async function startFire(deps: ScheduledFireDeps, run: ScheduledRun, fired: string): Promise<void> {
    const freeze = await deps.freeze.current();
    if (freeze && !run.dryRun) {
      await deps.audit.append({
        at: new Date().toISOString(),
        kind: 'schedule.skipped',
        actor: `schedule:${run.id}`,
        data: { id: run.id, workflow: run.workflow, firedAt: fired, freeze: describeFreeze(freeze) },
      });
      await note(
        run,
        `:snowflake: Scheduled run \`${run.id}\` (\`${run.workflow} ${run.words.join(' ')}\`) skipped: ${describeFreeze(freeze)}.`,
      );
      return;
    }
    await deps.admit?.(run);
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
    // The run exists now: nothing after this may fail the fire (a retry would start it twice).
    await deps.audit
      .append({
        runId,
        at: new Date().toISOString(),
        kind: 'schedule.fired',
        actor: `schedule:${run.id}`,
        data: { id: run.id, workflow: run.workflow, firedAt: fired, requester: run.requester },
      })
      .catch((err: unknown) => deps.logger.warn({ err, schedule: run.id, runId }, 'could not audit a fire'));
  }
}
