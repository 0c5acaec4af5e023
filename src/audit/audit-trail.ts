import type { Redis } from 'ioredis';
import { RunEvent } from '../engine/model/events.js';
import type { Logger } from '../log/index.js';
import { eventRecord } from './event-record.js';
import type { RedisAuditLog } from './redis-audit-log.js';

/** Where a record of a run points in Slack: the run's thread, or the message of a gate's card. */
export type AuditLinks = (
  runId: string,
  options: { gateId?: string; waitForThread: boolean },
) => Promise<string | undefined>;

export interface AuditTrailOptions {
  /** A connection of its own: the trail blocks on XREADGROUP. */
  redis: Redis;
  /** The engine's global event stream. */
  stream: string;
  audit: RedisAuditLog;
  logger: Logger;
  /** A name for this process in the consumer group (host and pid). */
  consumer: string;
  links?: AuditLinks;
  /** Events another trail took but did not acknowledge for this long are taken over (a dead process). */
  claimIdleMs?: number;
}

const GROUP = 'audit';

/**
 * Writes every run event that is an action (start, approvals, hold/resume/abort, retry, locks, each
 * host's result, the end) into the audit chain. Any number of Marshal processes run one: a Redis
 * consumer group hands each event to one of them, the record is deduplicated by the event's stream id
 * (a retried event is not recorded twice) and acknowledged only once it is in the chain, and events a
 * process took but never acknowledged are taken over by another.
 */
export class AuditTrail {
  private closed = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: AuditTrailOptions) {}

  async start(): Promise<void> {
    const { redis, stream } = this.options;
    try {
      // `$`: the trail starts with the events published from its first start on; the group then keeps
      // its place across restarts.
      await redis.xgroup('CREATE', stream, GROUP, '$', 'MKSTREAM');
    } catch (err) {
      if (!(err instanceof Error && err.message.includes('BUSYGROUP'))) throw err;
    }
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.options.redis.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { redis, stream, consumer } = this.options;
    let lastClaim = 0;
    while (!this.closed) {
      try {
        if (Date.now() - lastClaim > 5000) {
          lastClaim = Date.now();
          const claimed = (await redis.xautoclaim(
            stream,
            GROUP,
            consumer,
            this.options.claimIdleMs ?? 30_000,
            '0-0',
            'COUNT',
            100,
          )) as [string, [string, string[]][]];
          await this.take(claimed[1]);
        }
        const reply = (await redis.xreadgroup(
          'GROUP',
          GROUP,
          consumer,
          'COUNT',
          100,
          'BLOCK',
          1000,
          'STREAMS',
          stream,
          '>',
        )) as [string, [string, string[]][]][] | null;
        for (const [, entries] of reply ?? []) await this.take(entries);
      } catch (err) {
        if (this.closed) return;
        this.options.logger.warn({ err }, 'audit trail read failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async take(entries: [string, string[] | null][]): Promise<void> {
    const { redis, stream, audit } = this.options;
    for (const [id, fields] of entries) {
      if (fields) {
        const event = parse(fields);
        const entry = event && eventRecord(event);
        if (event && entry) {
          const link = await this.link(event);
          // Not acknowledged if this throws: the event stays pending and is taken again.
          await audit.record({ ...entry, ...(link ? { link } : {}) }, { dedupeId: `event:${id}` });
        }
      }
      await redis.xack(stream, GROUP, id);
    }
  }

  private async link(event: RunEvent): Promise<string | undefined> {
    const links = this.options.links;
    if (!links) return undefined;
    const gateId = event.type === 'gate.waiting' || event.type === 'gate.decided' ? event.gateId : undefined;
    try {
      return await links(event.runId, {
        ...(gateId ? { gateId } : {}),
        // A run started from Slack gets its thread moments later: its first record waits for it.
        waitForThread: event.type === 'run.started' && event.meta.channel !== undefined,
      });
    } catch (err) {
      this.options.logger.warn({ err, runId: event.runId }, 'no Slack link for an audit record');
      return undefined;
    }
  }
}

function parse(fields: string[]): RunEvent | undefined {
  if (fields[0] !== 'e' || fields[1] === undefined) return undefined;
  try {
    const parsed = RunEvent.safeParse(JSON.parse(fields[1]));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
