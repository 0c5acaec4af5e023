import type { Redis } from 'ioredis';
import type { Logger } from '../log/index.js';
import { AuditEntry, auditRecord, type AuditEntryInput, type AuditSink } from './audit-entry.js';

/**
 * The durable audit record: one Redis stream per run (read back whole for a run's report) plus a
 * structured pino line per entry for log shipping. Streams are append-only, and an entry is written
 * before `append` resolves, so a crash after a step cannot lose what the step recorded.
 */
export class RedisAuditLog implements AuditSink {
  constructor(
    private readonly redis: Pick<Redis, 'xadd' | 'xrange'>,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {}

  async append(input: AuditEntryInput): Promise<void> {
    const entry = auditRecord(input);
    await this.redis.xadd(this.key(entry.runId), '*', 'entry', JSON.stringify(entry));
    this.log.info({ audit: entry }, `audit ${entry.kind}`);
  }

  async entries(runId: string): Promise<AuditEntry[]> {
    const rows = await this.redis.xrange(this.key(runId), '-', '+');
    return rows.map(([, fields]) => AuditEntry.parse(JSON.parse(fields[1] ?? '{}')));
  }

  /** Where an operator finds a run's record (shown in the final Slack summary). */
  reference(runId: string): string {
    return this.key(runId);
  }

  private key(runId: string): string {
    return `${this.prefix}:audit:${runId}`;
  }
}
