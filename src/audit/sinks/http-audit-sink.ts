import { setTimeout as sleep } from 'node:timers/promises';
import { auditRecord, type AuditEntryInput, type AuditSink } from '../audit-entry.js';
import { AuditSinkError } from './audit-sink-error.js';

export interface HttpAuditSinkOptions {
  url: string;
  /** Sent as `Authorization: Bearer …`; never logged, never part of an error. */
  token?: string | undefined;
  timeoutMs?: number;
  retries?: number;
  /** Pause before retry n (1-based); exponential from 200 ms by default. */
  backoffMs?: (attempt: number) => number;
}

/**
 * The audit POSTed to an HTTP collector, one record per request as JSON. A record counts as kept only
 * on a 2xx; network errors, 5xx and 429 are retried, other answers fail at once (the collector
 * refused the record: retrying will not change its mind). The record carries its own `at`, so a retry
 * that the collector had in fact kept is recognisable there as the same record.
 */
export class HttpAuditSink implements AuditSink {
  private readonly where: string;

  constructor(private readonly options: HttpAuditSinkOptions) {
    const url = new URL(options.url);
    url.username = '';
    url.password = '';
    this.where = url.toString();
  }

  async append(input: AuditEntryInput): Promise<void> {
    const body = JSON.stringify(auditRecord(input));
    const retries = this.options.retries ?? 3;
    const backoff = this.options.backoffMs ?? ((n: number) => 200 * 2 ** (n - 1));
    for (let attempt = 0; ; attempt += 1) {
      if (attempt > 0) await sleep(backoff(attempt));
      const outcome = await this.post(body);
      if (outcome === 'kept') return;
      if (!outcome.retryable || attempt >= retries)
        throw new AuditSinkError(
          this.where,
          `${outcome.why}${attempt > 0 ? ` (after ${attempt + 1} tries)` : ''}`,
          { retryable: outcome.retryable },
        );
    }
  }

  private async post(body: string): Promise<'kept' | { why: string; retryable: boolean }> {
    try {
      const res = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return 'kept';
      return {
        why: `HTTP ${res.status} ${res.statusText}`.trim(),
        retryable: res.status >= 500 || res.status === 429,
      };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const why = e.name === 'TimeoutError' ? 'no answer in time' : (e.cause?.code ?? e.message);
      return { why, retryable: true };
    }
  }
}
