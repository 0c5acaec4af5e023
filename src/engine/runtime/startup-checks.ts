import type { Redis } from 'ioredis';
import type { Logger } from '../../log/index.js';
import { RedisMisconfigured } from '../errors/redis-misconfigured.js';

/**
 * Refuses a Redis that may evict keys (run state, locks, BullMQ jobs would vanish under memory
 * pressure) and warns when Redis keeps nothing across a restart.
 */
export async function checkRedis(redis: Redis, logger: Logger): Promise<void> {
  const policy = await configGet(redis, 'maxmemory-policy');
  if (policy !== 'noeviction') {
    throw new RedisMisconfigured(
      `Redis maxmemory-policy is "${policy}", which lets Redis evict run state, locks and queued jobs. ` +
        'Set it to noeviction: `redis-cli CONFIG SET maxmemory-policy noeviction` and `maxmemory-policy noeviction` in redis.conf.',
      { maxmemoryPolicy: policy },
    );
  }
  const aof = await configGet(redis, 'appendonly');
  const save = await configGet(redis, 'save');
  if (aof !== 'yes' && (save === undefined || save.trim() === '')) {
    logger.warn(
      { appendonly: aof, save },
      'Redis keeps no data across a restart (no AOF, no RDB snapshots): runs in progress would be lost. Enable `appendonly yes` for production.',
    );
  }
}

async function configGet(redis: Redis, name: string): Promise<string | undefined> {
  const reply = (await redis.config('GET', name)) as string[];
  return reply[1];
}
