import type { Redis } from 'ioredis';
import type { Logger } from '../../log/index.js';
import { RedisMisconfigured } from '../errors/redis-misconfigured.js';
import { isEvictingPolicy, judgePersistence } from './redis-info.js';

export interface RedisCheckOptions {
  /** REDIS_URL with its password redacted, for messages. */
  where: string;
  /** Start on a Redis that keeps nothing across a restart (throwaway use: the local run, tests). */
  allowEphemeral: boolean;
}

/** The environment variable that allows a Redis without persistence (see settings.ts). */
export const ALLOW_EPHEMERAL_REDIS = 'MARSHAL_ALLOW_EPHEMERAL_REDIS';

/**
 * Refuses a Redis that may evict keys (run state, locks, BullMQ jobs would vanish under memory
 * pressure) or that keeps nothing across a restart (every run in progress would vanish silently),
 * unless the latter is explicitly allowed.
 */
export async function checkRedis(redis: Redis, logger: Logger, options: RedisCheckOptions): Promise<void> {
  const policy = await configGet(redis, 'maxmemory-policy');
  if (isEvictingPolicy(policy)) {
    throw new RedisMisconfigured(
      `Redis at REDIS_URL=${options.where} has maxmemory-policy "${policy}", which lets Redis evict run state, locks and queued jobs. ` +
        'Set it to noeviction: `redis-cli CONFIG SET maxmemory-policy noeviction` and `maxmemory-policy noeviction` in redis.conf.',
      { maxmemoryPolicy: policy, redis: options.where },
    );
  }
  const persistence = judgePersistence({
    appendonly: await configGet(redis, 'appendonly'),
    save: await configGet(redis, 'save'),
  });
  if (persistence.keeps) return;
  if (!options.allowEphemeral) {
    throw new RedisMisconfigured(
      `Redis at REDIS_URL=${options.where} keeps nothing across a restart (${persistence.description}): a restart would silently lose every run in progress, its locks and its audit records. ` +
        'Enable persistence: `appendonly yes` (best), or an RDB `save` rule such as `save 60 1000`, in redis.conf or with `redis-cli CONFIG SET`. ' +
        `For a throwaway Redis only, set ${ALLOW_EPHEMERAL_REDIS}=1 to start anyway.`,
      { redis: options.where, persistence: persistence.description },
    );
  }
  logger.warn(
    { redis: options.where, persistence: persistence.description },
    `Redis keeps no data across a restart (no AOF, no RDB snapshots), allowed by ${ALLOW_EPHEMERAL_REDIS}: runs in progress would be lost. Enable \`appendonly yes\` for production.`,
  );
}

async function configGet(redis: Redis, name: string): Promise<string | undefined> {
  const reply = (await redis.config('GET', name)) as string[];
  return reply[1];
}
