import { Redis, type RedisOptions } from 'ioredis';

/** A Redis URL (`redis://host:port/db`) or ioredis options. */
export type RedisConnection = string | RedisOptions;

/**
 * Opens a connection. `maxRetriesPerRequest: null` keeps commands queued across a brief Redis restart
 * instead of failing them (BullMQ requires it for workers).
 */
export function connectRedis(connection: RedisConnection, name: string): Redis {
  const base: RedisOptions = { maxRetriesPerRequest: null, connectionName: name };
  return typeof connection === 'string' ? new Redis(connection, base) : new Redis({ ...connection, ...base });
}
