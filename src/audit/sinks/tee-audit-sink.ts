import type { AuditEntryInput, AuditSink } from '../audit-entry.js';

/**
 * Every record to every sink (Redis first, then the second sinks), all tried even when one fails, so
 * one sink's outage does not keep a record from the others; the first failure is then raised, so the
 * caller knows the record is not everywhere it should be.
 */
export class TeeAuditSink implements AuditSink {
  constructor(private readonly sinks: readonly AuditSink[]) {}

  async append(entry: AuditEntryInput): Promise<void> {
    const results = await Promise.allSettled(this.sinks.map((sink) => sink.append(entry)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
