import type { Redis } from 'ioredis';
import type { Json } from '../engine/model/workflow.js';
import type { WorkflowRecords } from '../kit/workflow-records.js';

const DEFAULT_KEEP = 1000;

/** WorkflowRecords in Redis: `<prefix>:wf:<workflow>:list:<name>` (a list) and `…:key:<name>` (a string). */
export class RedisWorkflowRecords implements WorkflowRecords {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly workflow: string,
  ) {}

  async append(list: string, value: Json, options: { keep?: number } = {}): Promise<void> {
    const key = this.key('list', list);
    const keep = options.keep ?? DEFAULT_KEEP;
    // One MULTI: a reader never sees the list grown past what is kept.
    await this.redis.multi().rpush(key, JSON.stringify(value)).ltrim(key, -keep, -1).exec();
  }

  async list(list: string, limit?: number): Promise<Json[]> {
    const start = limit === undefined ? 0 : -Math.max(1, limit);
    const raw = await this.redis.lrange(this.key('list', list), start, -1);
    return raw.map((r) => JSON.parse(r) as Json);
  }

  async get(key: string): Promise<Json | undefined> {
    const raw = await this.redis.get(this.key('key', key));
    return raw === null ? undefined : (JSON.parse(raw) as Json);
  }

  async set(key: string, value: Json): Promise<void> {
    await this.redis.set(this.key('key', key), JSON.stringify(value));
  }

  private key(kind: 'list' | 'key', name: string): string {
    return `${this.prefix}:wf:${this.workflow}:${kind}:${name}`;
  }
}
