import { setMaxListeners } from 'node:events';
import { AttemptSuperseded } from '../errors/attempt-superseded.js';

/**
 * The lease each running job holds on its work, in this process. BullMQ's lock is the lease in Redis: it
 * is renewed while the job runs, and another worker may take the job once it expires. A worker frozen
 * (SIGSTOP, a paused VM) or starved past the lock cannot learn that from Redis before it acts again, so
 * it keeps the lease's deadline itself: the last renewal plus the lock's duration, less a margin for the
 * renewal's round trip. The job's signal is aborted, with `AttemptSuperseded` as its reason, when
 * BullMQ reports the renewal failed (`lockRenewalFailed`) or the deadline passes (a watchdog timer:
 * after a freeze it is overdue, so it fires on the first timer turn after the process wakes, before
 * any command that waited for that turn starts; see the SSH executor).
 */
export class AttemptLeases {
  private readonly leases = new Map<string, { controller: AbortController; deadline: number }>();
  private readonly watchdog: NodeJS.Timeout;
  private readonly leaseMs: number;

  constructor(lockDurationMs: number) {
    // Renewals reply after Redis set the new expiry; a tenth of the lock covers that round trip.
    this.leaseMs = Math.floor(lockDurationMs * 0.9);
    this.watchdog = setInterval(() => this.expire(), Math.max(50, Math.min(1000, lockDurationMs / 10)));
    this.watchdog.unref();
  }

  /** A job starts in this process (its lock was just taken): its signal, aborted when the lease is lost. */
  begin(jobId: string, lockedAt: number, bullSignal?: AbortSignal): AbortSignal {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    this.leases.set(jobId, { controller, deadline: Math.min(lockedAt, Date.now()) + this.leaseMs });
    bullSignal?.addEventListener('abort', () => this.lose(jobId, 'BullMQ cancelled the job'), {
      once: true,
    });
    return controller.signal;
  }

  end(jobId: string): void {
    this.leases.delete(jobId);
  }

  renewed(jobIds: readonly string[]): void {
    const deadline = Date.now() + this.leaseMs;
    for (const id of jobIds) {
      const lease = this.leases.get(id);
      if (lease && !lease.controller.signal.aborted) lease.deadline = deadline;
    }
  }

  lose(jobId: string, why: string): void {
    const lease = this.leases.get(jobId);
    if (!lease || lease.controller.signal.aborted) return;
    lease.controller.abort(new AttemptSuperseded(`job ${jobId}`, why));
  }

  /** Aborts every job whose lease ran out; runs on the watchdog's timer. */
  expire(now = Date.now()): void {
    for (const [id, lease] of this.leases)
      if (lease.deadline < now)
        this.lose(id, `its lock was not renewed for ${this.leaseMs} ms; another worker may have it`);
  }

  /** After the Workers closed (they wait for their jobs): nothing is left to guard. */
  close(): void {
    clearInterval(this.watchdog);
    this.leases.clear();
  }
}
