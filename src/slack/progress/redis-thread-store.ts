import type { Redis } from 'ioredis';
import type { ThreadRecord, ThreadRef, ThreadStore } from './thread-store.js';

/** Threads outlive their run by this long, enough to edit the card of a late decision or a retry. */
const TTL_SECONDS = 30 * 24 * 3600;

/**
 * ThreadStore in Redis: one hash per run (`channel`, `ts`, `gate:<id>`) and one set of posted
 * milestones. `SADD` answers whether a milestone is new, atomically, so two notifiers never both post it.
 */
export class RedisThreadStore implements ThreadStore {
  constructor(
    private readonly redis: Pick<Redis, 'hgetall' | 'hset' | 'sadd' | 'expire' | 'multi'>,
    private readonly prefix = 'marshal',
  ) {}

  private key(runId: string): string {
    return `${this.prefix}:slack:thread:${runId}`;
  }

  async get(runId: string): Promise<ThreadRecord | undefined> {
    const hash = await this.redis.hgetall(this.key(runId));
    if (!hash.channel || !hash.ts) return undefined;
    const gateCards: Record<string, string> = {};
    for (const [field, value] of Object.entries(hash)) {
      if (field.startsWith('gate:')) gateCards[field.slice(5)] = value;
    }
    return { channel: hash.channel, ts: hash.ts, gateCards };
  }

  async setParent(runId: string, ref: ThreadRef): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key(runId), { channel: ref.channel, ts: ref.ts })
      .expire(this.key(runId), TTL_SECONDS)
      .exec();
  }

  async setGateCard(runId: string, gateId: string, ts: string): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key(runId), `gate:${gateId}`, ts)
      .expire(this.key(runId), TTL_SECONDS)
      .exec();
  }

  async claimMilestone(runId: string, key: string): Promise<boolean> {
    const setKey = `${this.key(runId)}:milestones`;
    const added = await this.redis.sadd(setKey, key);
    await this.redis.expire(setKey, TTL_SECONDS);
    return added === 1;
  }
}
