import type { Redis } from 'ioredis';
import type { Logger } from '../../log/index.js';
import { RunEvent, type EventSubscription, type RunEvents } from '../model/events.js';
import { isConnectionError } from '../runtime/redis-connection.js';

export interface RedisRunEventsOptions {
  /** Commands (XADD, XRANGE) go here. */
  redis: Redis;
  /** Each subscription blocks on XREAD, so it gets a connection of its own from this factory. */
  connect: () => Redis;
  globalStream: string;
  runStream: (runId: string) => string;
  logger: Logger;
  /** Approximate length the global stream is trimmed to. */
  maxLength?: number;
  /** Approximate length each run's stream is trimmed to (a run's history beyond it is dropped, oldest first). */
  runMaxLength?: number;
}

/**
 * RunEvents on Redis Streams: one global stream that subscribers tail with XREAD BLOCK (no polling),
 * and one stream per run for its history. Events are checked against the zod schema when read, since
 * another process (or version) wrote them.
 */
export class RedisRunEvents implements RunEvents {
  /** Events published in this turn of the event loop, sent together (see publish). */
  private pending: { event: RunEvent; done: () => void; failed: (err: unknown) => void }[] = [];

  constructor(private readonly options: RedisRunEventsOptions) {}

  /**
   * Events published in one turn of the event loop go in one MULTI (both streams each): a worker
   * finishing 32 host steps at once sends one round trip, not 32, and the order of `publish` calls is
   * the order in the streams. Resolves once Redis took the event.
   */
  publish(event: RunEvent): Promise<void> {
    return new Promise((done, failed) => {
      if (this.pending.push({ event, done, failed }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    const { redis, globalStream, runStream, maxLength = 10_000, runMaxLength = 100_000 } = this.options;
    const multi = redis.multi();
    for (const { event } of batch) {
      const body = JSON.stringify(event);
      multi
        .xadd(globalStream, 'MAXLEN', '~', maxLength, '*', 'e', body)
        .xadd(runStream(event.runId), 'MAXLEN', '~', runMaxLength, '*', 'e', body);
    }
    multi.exec().then(
      (replies) => {
        const err = replies?.find(([e]) => e)?.[0];
        for (const p of batch) {
          if (err) p.failed(err);
          else p.done();
        }
      },
      (err: unknown) => {
        for (const p of batch) p.failed(err);
      },
    );
  }

  async history(runId: string): Promise<RunEvent[]> {
    const entries = await this.options.redis.xrange(this.options.runStream(runId), '-', '+');
    return entries.flatMap(([, fields]) => this.parse(fields));
  }

  async subscribe(handler: (event: RunEvent) => void | Promise<void>): Promise<EventSubscription> {
    const conn = this.options.connect();
    const stream = this.options.globalStream;
    let closed = false;
    // Start from the stream's current end, resolved now, so nothing published after subscribe() returns is missed.
    const last = await this.options.redis.xrevrange(stream, '+', '-', 'COUNT', 1);
    let lastId = last[0]?.[0] ?? '0-0';
    const loop = (async () => {
      while (!closed) {
        let reply: [string, [string, string[]][]][] | null;
        try {
          reply = await conn.xread('COUNT', 500, 'BLOCK', 1000, 'STREAMS', stream, lastId);
        } catch (err) {
          if (closed) return;
          // A Redis outage is reported once by the engine's connection, not every 200 ms from here.
          if (isConnectionError(err))
            this.options.logger.debug({ err }, 'event subscription waits for Redis');
          else this.options.logger.warn({ err }, 'event subscription read failed; retrying');
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            for (const event of this.parse(fields)) {
              try {
                await handler(event);
              } catch (err) {
                this.options.logger.error(
                  { err, type: event.type, runId: event.runId },
                  'event handler failed',
                );
              }
            }
          }
        }
      }
    })();
    return {
      close: async () => {
        closed = true;
        conn.disconnect();
        await loop;
      },
    };
  }

  private parse(fields: string[]): RunEvent[] {
    const raw = fields[1];
    if (fields[0] !== 'e' || raw === undefined) return [];
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.options.logger.warn('dropped an event that is not JSON');
      return [];
    }
    const parsed = RunEvent.safeParse(json);
    if (!parsed.success) {
      this.options.logger.warn(
        { issues: parsed.error.issues },
        'dropped an event that does not match the RunEvent schema',
      );
      return [];
    }
    return [parsed.data];
  }
}
