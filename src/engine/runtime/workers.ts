import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { AttemptLeases } from './attempt-leases.js';
import { giveUpOnJob } from './give-up.js';
import { sweepLocks } from './locks.js';
import { processJob } from './process-job.js';
import { reconcileRuns } from './reconciler.js';
import { connectRedis, type RedisConnection } from './redis-connection.js';
import type { Runtime } from './runtime.js';
import { defaultReserve, RunShares } from './run-shares.js';

export interface WorkerOptions {
  /** Host steps one Worker runs for one run at once (host steps wait on I/O, so this can be high). */
  concurrency?: number;
  /**
   * Host slots beyond `concurrency` that no single run may take: the slots other runs start in while one
   * run fills its share (an approval's next batch, a small run beside a 10,000-host one). Default: an
   * eighth of `concurrency`, at least 2.
   */
  reserveSlots?: number;
  /** Control jobs (task transitions, batch hand-outs, gate timeouts) one control Worker runs at once. */
  controlConcurrency?: number;
  /** BullMQ Workers in this process; each has its own blocking connection. */
  workers?: number;
  /** How often BullMQ looks for jobs whose worker died. */
  stalledIntervalMs?: number;
  /**
   * A job whose lock is not renewed within this time counts as stalled and is given to another worker.
   * BullMQ renews the lock every quarter of this while the job runs, however long the step takes, so it
   * only bounds how long the event loop may be blocked (or the process starved of CPU) before a healthy
   * job is taken for dead. Keep it well above a few seconds.
   */
  lockDurationMs?: number;
  /** How often a job may stall (its worker lost) before BullMQ gives up; the engine then fails its work. */
  maxStalledCount?: number;
  /**
   * How often the reconciler re-creates lost jobs and ends work BullMQ gave up on (one process at a time).
   * Default: the stalled-job check's interval, at most 15 s. A worker that dies between handing out a host
   * and enqueuing its job leaves work only the reconciler finds; it should be found as soon as the work
   * BullMQ holds for that worker is.
   */
  reconcileIntervalMs?: number;
}

/** Production defaults: a dead worker's jobs move on within ~45 s; a step crashing its worker fails after 3 tries. */
export const WORKER_DEFAULTS = {
  concurrency: 16,
  controlConcurrency: 8,
  stalledIntervalMs: 15_000,
  lockDurationMs: 30_000,
  maxStalledCount: 2,
  reconcileIntervalMs: 15_000,
} as const;

/** The options with every default filled in (the reconciler's interval follows the stalled-job check's). */
export function workerSettings(
  options: WorkerOptions,
): Required<Omit<WorkerOptions, 'reserveSlots' | 'workers'>> {
  return {
    ...WORKER_DEFAULTS,
    ...options,
    reconcileIntervalMs:
      options.reconcileIntervalMs ??
      Math.min(options.stalledIntervalMs ?? Infinity, WORKER_DEFAULTS.reconcileIntervalMs),
  };
}

export interface WorkerPool {
  close(): Promise<void>;
}

/** Starts BullMQ Workers on the engine's queue; any number of processes may run them side by side. */
export function startWorkerPool(
  rt: Runtime,
  connection: RedisConnection,
  options: WorkerOptions = {},
): WorkerPool {
  const o = workerSettings(options);
  const connections: Redis[] = [];
  const workers: Worker[] = [];
  const leases = new AttemptLeases(o.lockDurationMs);
  const reserve = options.reserveSlots ?? defaultReserve(o.concurrency);
  // Once closing, a host job ends with its own host: the hosts its releases hand out get jobs of their own.
  let closing = false;
  for (let i = 0; i < (options.workers ?? 1); i++) {
    const conn = connectRedis(connection, `marshal-worker-${i}`, rt.health);
    connections.push(conn);
    // Three parameters: BullMQ then hands each job a signal (cancelJob), which the lease joins.
    // Per Worker: each has its own slots. A run holds at most `concurrency` of the host lane's.
    const shares = new RunShares(o.concurrency);
    const processor = async (job: Job, token?: string, bullSignal?: AbortSignal): Promise<void> => {
      const id = job.id ?? '';
      const runId = hostJobRun(job);
      if (runId !== undefined && !shares.admit(runId)) {
        // Its run holds its share of this Worker's slots: the job goes back untouched (nothing of it
        // ran, the ledger has not seen it) and waits a moment, leaving the reserve to other runs.
        await job.moveToDelayed(Date.now() + SHARE_RETRY_MS, token);
        throw new DelayedError();
      }
      const signal = leases.begin(id, job.processedOn ?? Date.now(), bullSignal);
      try {
        await processJob(rt, job, signal, () => !closing);
      } finally {
        leases.end(id);
        if (runId !== undefined) shares.release(runId);
      }
    };
    // One Worker per lane (jobs.ts): control work has slots of its own that host steps never fill.
    const controlConn = connectRedis(connection, `marshal-control-${i}`, rt.health);
    connections.push(controlConn);
    const lanes = [
      {
        queue: rt.keys.queueName,
        conn,
        concurrency: o.concurrency + reserve,
        name: `engine worker ${i}`,
      },
      {
        queue: rt.keys.controlQueueName,
        conn: controlConn,
        concurrency: o.controlConcurrency,
        name: `engine control worker ${i}`,
      },
    ];
    for (const lane of lanes) {
      const worker = new Worker(lane.queue, processor, {
        connection: lane.conn,
        prefix: rt.keys.prefix,
        concurrency: lane.concurrency,
        stalledInterval: o.stalledIntervalMs,
        lockDuration: o.lockDurationMs,
        maxStalledCount: o.maxStalledCount,
      });
      worker.on('failed', (job, err) => onFailed(rt, job, err));
      worker.on('locksRenewed', ({ jobIds }) => leases.renewed(jobIds));
      worker.on('lockRenewalFailed', (jobIds) => {
        rt.logger.warn({ jobIds }, 'could not renew the lock of running jobs: they stop here');
        for (const id of jobIds) leases.lose(id, 'BullMQ could not renew its lock');
      });
      worker.on('error', (err) => rt.health.clientError(err, lane.name));
      workers.push(worker);
    }
  }
  const sweep = setInterval(
    () => {
      sweepLocks(rt).catch((err: unknown) => rt.logger.warn({ err }, 'lock sweep failed'));
    },
    Math.max(1000, Math.floor(rt.lockTtlMs / 4)),
  );
  sweep.unref();
  let reconciling: Promise<void> | undefined;
  const reconcile = setInterval(() => {
    if (reconciling) return;
    reconciling = reconcileIfLeader(rt, o.reconcileIntervalMs)
      .catch((err: unknown) => rt.logger.warn({ err }, 'reconciler failed; will try again'))
      .finally(() => (reconciling = undefined));
  }, o.reconcileIntervalMs);
  reconcile.unref();
  return {
    async close() {
      closing = true;
      clearInterval(sweep);
      clearInterval(reconcile);
      await reconciling;
      await Promise.all(workers.map((w) => w.close()));
      leases.close();
      for (const c of connections) c.disconnect();
    },
  };
}

/**
 * How long a host job refused for its run's share waits before a Worker looks at it again. Only a run
 * asking for more hosts at once than a Worker's `concurrency` is refused; its share stays full meanwhile
 * (its other jobs wait on the lane), so a long wait costs it nothing here and keeps the bounces rare.
 */
const SHARE_RETRY_MS = 500;

/** The run of a host-step job (the only kind that takes a host slot), else undefined. */
function hostJobRun(job: Job): string | undefined {
  const d = job.data as { kind?: unknown; runId?: unknown } | undefined;
  return d?.kind === 'target' && typeof d.runId === 'string' ? d.runId : undefined;
}

/** A job failed: BullMQ retries it unless it is failed for good (`finishedOn` set), which the engine must end. */
function onFailed(rt: Runtime, job: Job | undefined, err: Error): void {
  if (!job?.id) return;
  if (!job.finishedOn) {
    rt.logger.warn(
      { jobId: job.id, err, attemptsMade: job.attemptsMade },
      'engine job failed; BullMQ retries it',
    );
    return;
  }
  giveUpOnJob(rt, {
    id: job.id,
    data: job.data,
    failedReason: job.failedReason ?? err.message,
    attemptsMade: job.attemptsMade,
    stalls: job.stalledCounter,
  }).catch((e: unknown) =>
    rt.logger.error(
      { err: e, jobId: job.id },
      'could not end the work of an abandoned job; the reconciler will',
    ),
  );
}

/** One process reconciles per interval (a lease in Redis); the others skip. */
async function reconcileIfLeader(rt: Runtime, intervalMs: number): Promise<void> {
  const lease = await rt.redis.set(
    `${rt.keys.prefix}:reconciler`,
    String(process.pid),
    'PX',
    intervalMs,
    'NX',
  );
  if (lease !== 'OK') return;
  await reconcileRuns(rt);
}
