import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { sweepLocks } from './locks.js';
import { processJob } from './process-job.js';
import { connectRedis, type RedisConnection } from './redis-connection.js';
import type { Runtime } from './runtime.js';

export interface WorkerOptions {
  /** Jobs one Worker runs at once (host steps wait on I/O, so this can be high). */
  concurrency?: number;
  /** BullMQ Workers in this process; each has its own blocking connection. */
  workers?: number;
  /** How often BullMQ looks for jobs whose worker died. */
  stalledIntervalMs?: number;
  /** A job whose lock is not renewed within this time counts as stalled and is given to another worker. */
  lockDurationMs?: number;
  /** How often a job may stall before BullMQ gives up on it. */
  maxStalledCount?: number;
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
  const connections: Redis[] = [];
  const workers: Worker[] = [];
  for (let i = 0; i < (options.workers ?? 1); i++) {
    const conn = connectRedis(connection, `marshal-worker-${i}`);
    connections.push(conn);
    const worker = new Worker(rt.keys.queueName, (job) => processJob(rt, job), {
      connection: conn,
      prefix: rt.keys.prefix,
      concurrency: options.concurrency ?? 16,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      lockDuration: options.lockDurationMs ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 5,
    });
    worker.on('failed', (job, err) => rt.logger.error({ jobId: job?.id, err }, 'engine job failed'));
    worker.on('error', (err) => rt.logger.error({ err }, 'engine worker error'));
    workers.push(worker);
  }
  const sweep = setInterval(
    () => {
      sweepLocks(rt).catch((err: unknown) => rt.logger.warn({ err }, 'lock sweep failed'));
    },
    Math.max(1000, Math.floor(rt.lockTtlMs / 4)),
  );
  sweep.unref();
  return {
    async close() {
      clearInterval(sweep);
      await Promise.all(workers.map((w) => w.close()));
      for (const c of connections) c.disconnect();
    },
  };
}
