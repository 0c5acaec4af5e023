import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { isMarshalError, ValidationError } from '../errors/index.js';

/** A run on a schedule, as kept in its BullMQ job scheduler's template. */
export const ScheduledRun = z.object({
  id: z.string(),
  cron: z.string(),
  timeZone: z.string(),
  workflow: z.string(),
  /** The words as typed after `/marshal run <workflow>` (shown in listings). */
  words: z.array(z.string()),
  params: z.record(z.string(), z.unknown()),
  dryRun: z.boolean(),
  channel: z.string(),
  /** Who the run is started as: its requester (who therefore cannot approve it). */
  requester: z.string(),
  /** Declared in Marshal's config (re-declared at every start) or made with `/ops schedule`. */
  source: z.enum(['config', 'slack']),
});
export type ScheduledRun = z.infer<typeof ScheduledRun>;

/**
 * How a fire that failed to start is tried again: BullMQ's attempts with exponential backoff. Only
 * errors that may pass (a Redis blip, a lost connection) are; a refusal (bad params, no access, a lock
 * another run holds) fails the same way again and is not.
 */
export interface FireRetry {
  attempts: number;
  backoffMs: number;
}
export const DEFAULT_FIRE_RETRY: FireRetry = { attempts: 3, backoffMs: 30_000 };

/** Whether trying a failed fire again may help: Marshal's errors say so; anything else may be passing. */
export function fireRetryable(err: unknown): boolean {
  return isMarshalError(err) ? err.retryable : true;
}

/** Which try of a fire this is, and whether it is the last one BullMQ will make. */
export interface FireAttempt {
  number: number;
  of: number;
}

export interface ScheduleListing extends ScheduledRun {
  /** The next fire, if BullMQ knows it. */
  next?: Date;
}

/** Refuses a cron pattern cron-parser (BullMQ's own reader) cannot read, naming it. */
export function checkCron(pattern: string, timeZone: string): void {
  try {
    CronExpressionParser.parse(pattern, { tz: timeZone });
  } catch (err) {
    throw new ValidationError('schedule', [
      {
        path: 'cron',
        message: `${JSON.stringify(pattern)} is not a cron pattern (${err instanceof Error ? err.message : String(err)}); use 5 fields (minute hour day month weekday) or 6 with seconds first`,
      },
    ]);
  }
}

/**
 * Scheduled runs on BullMQ job schedulers: a scheduler lives in Redis (it survives restarts), and each
 * fire is one job that exactly one worker of any process takes.
 */
export class RunSchedules {
  private readonly queue: Queue;
  private readonly name = 'schedules';
  private readonly connection: Redis;

  constructor(
    redisUrl: string,
    private readonly prefix: string,
    private readonly retry: FireRetry = DEFAULT_FIRE_RETRY,
  ) {
    this.connection = new Redis(redisUrl, {
      maxRetriesPerRequest: null,
      connectionName: 'marshal-schedules',
    });
    this.connection.on('error', () => undefined);
    this.queue = new Queue(this.name, { connection: this.connection, prefix: `${prefix}:bull` });
  }

  async upsert(run: ScheduledRun): Promise<void> {
    checkCron(run.cron, run.timeZone);
    await this.queue.upsertJobScheduler(
      run.id,
      { pattern: run.cron, tz: run.timeZone },
      {
        name: 'scheduled-run',
        data: ScheduledRun.parse(run),
        opts: {
          removeOnComplete: 1000,
          removeOnFail: 1000,
          attempts: this.retry.attempts,
          backoff: { type: 'exponential', delay: this.retry.backoffMs },
        },
      },
    );
  }

  async list(): Promise<ScheduleListing[]> {
    const schedulers = await this.queue.getJobSchedulers(0, -1, true);
    return schedulers.flatMap((s) => {
      const parsed = ScheduledRun.safeParse(s.template?.data);
      if (!parsed.success) return [];
      return [{ ...parsed.data, ...(s.next ? { next: new Date(s.next) } : {}) }];
    });
  }

  async remove(id: string): Promise<boolean> {
    return this.queue.removeJobScheduler(id);
  }

  /**
   * Takes fires in this process. `fire` gets the schedule, the fire's time (the job's own key for it, so
   * a fire retried after a crash is recognisable) and which try this is. A fire that throws a retryable
   * error is tried again (FireRetry); any other is not.
   */
  startWorker(fire: (run: ScheduledRun, firedAt: number, attempt: FireAttempt) => Promise<void>): {
    close(): Promise<void>;
  } {
    const worker = new Worker(
      this.name,
      async (job) => {
        const run = ScheduledRun.parse(job.data);
        const attempt = { number: job.attemptsMade + 1, of: job.opts.attempts ?? 1 };
        try {
          await fire(run, job.opts.prevMillis ?? job.timestamp, attempt);
        } catch (err) {
          // A refusal fails the same way every time: BullMQ must not try it again.
          if (!fireRetryable(err))
            throw new UnrecoverableError(err instanceof Error ? err.message : String(err));
          throw err;
        }
      },
      { connection: this.connection, prefix: `${this.prefix}:bull`, concurrency: 4 },
    );
    worker.on('error', () => undefined);
    return { close: () => worker.close() };
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}
