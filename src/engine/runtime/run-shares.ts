/**
 * Per-run shares of one process's host slots. The host lane's Worker runs `slots + reserve` jobs at
 * once, but one run may hold at most `slots` of them: the reserve is always there for the other runs,
 * so an approval's first host (or any run's next host) starts at once however many long steps a large
 * run keeps going. Pure bookkeeping: the processor asks `admit` before a host job and calls `release`
 * after it; a job refused here goes back to the queue (delayed a moment) untouched, before the ledger.
 */
export class RunShares {
  private readonly held = new Map<string, number>();

  constructor(private readonly slotsPerRun: number) {}

  /** Takes a slot for `runId` if the run holds fewer than its share; false: try the job again later. */
  admit(runId: string): boolean {
    const n = this.held.get(runId) ?? 0;
    if (n >= this.slotsPerRun) return false;
    this.held.set(runId, n + 1);
    return true;
  }

  release(runId: string): void {
    const n = (this.held.get(runId) ?? 0) - 1;
    if (n > 0) this.held.set(runId, n);
    else this.held.delete(runId);
  }

  holding(runId: string): number {
    return this.held.get(runId) ?? 0;
  }
}

/** Reserve slots by default: an eighth of the pool, at least 2. */
export function defaultReserve(slots: number): number {
  return Math.max(2, Math.ceil(slots / 8));
}
