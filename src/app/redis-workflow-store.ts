import type { Redis } from 'ioredis';
import type { WorkflowStore } from '../kit/workflow-store.js';

/** A workflow's memory in Redis: `<prefix>:wf:<workflow>:<key>`, JSON values. */
export class RedisWorkflowStore implements WorkflowStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly workflow: string,
  ) {}

  private key(name: string): string {
    return `${this.prefix}:wf:${this.workflow}:${name}`;
  }

  async get(key: string): Promise<unknown> {
    const text = await this.redis.get(this.key(key));
    return text === null ? undefined : (JSON.parse(text) as unknown);
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.redis.set(this.key(key), JSON.stringify(value));
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }

  async push(list: string, value: unknown, max = 10_000): Promise<void> {
    await this.redis
      .multi()
      .rpush(this.key(list), JSON.stringify(value))
      .ltrim(this.key(list), -max, -1)
      .exec();
  }

  async list(list: string): Promise<unknown[]> {
    return (await this.redis.lrange(this.key(list), 0, -1)).map((t) => JSON.parse(t) as unknown);
  }
}
