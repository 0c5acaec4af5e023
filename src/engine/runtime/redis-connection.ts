import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../../log/index.js';
import { redactUrl } from '../../log/index.js';
import { RedisUnavailable } from '../errors/redis-unavailable.js';
import type { RedisHealth } from './redis-health.js';
import { describeSentinelUrl, isSentinelUrl, sentinelOptions } from './redis-sentinel-url.js';

/**
 * A Redis URL (`redis://host:port/db`, `rediss://`, or `redis+sentinel://…/<primary name>` for Redis
 * behind Sentinel: redis-sentinel-url.ts) or ioredis options.
 */
export type RedisConnection = string | RedisOptions;

/** A URL string ioredis takes as it is, or the options a `redis+sentinel://` URL stands for. */
function resolved(connection: RedisConnection): string | RedisOptions {
  return typeof connection === 'string' && isSentinelUrl(connection)
    ? sentinelOptions(connection)
    : connection;
}

/**
 * Opens a connection. `maxRetriesPerRequest: null` keeps commands queued across a brief Redis restart
 * instead of failing them (BullMQ requires it for workers). Every client gets an `error` listener:
 * without one ioredis prints an `Unhandled error event` stack for each reconnect attempt. Connection
 * errors are reported once per outage by `health`, not once per client and attempt.
 */
export function connectRedis(connection: RedisConnection, name: string, health?: RedisHealth): Redis {
  const base: RedisOptions = { maxRetriesPerRequest: null, connectionName: name };
  const target = resolved(connection);
  const client = typeof target === 'string' ? new Redis(target, base) : new Redis({ ...target, ...base });
  if (health) health.watch(client, name);
  else client.on('error', () => undefined);
  return client;
}

/** Where Redis is, for messages: REDIS_URL without its password, or host:port of ioredis options. */
export function describeRedis(connection: RedisConnection): string {
  if (typeof connection === 'string')
    return isSentinelUrl(connection) ? describeSentinelUrl(connection) : redactUrl(connection);
  if (connection.sentinels)
    return `redis+sentinel://${connection.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}/${connection.name}`;
  return `redis://${connection.host ?? '127.0.0.1'}:${connection.port ?? 6379}`;
}

/** The connection error in a few words (`connect ECONNREFUSED 127.0.0.1:6390`), never a stack. */
export function connectionErrorText(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    // Node's happy-eyeballs connect (localhost → ::1 and 127.0.0.1) fails with an empty message.
    return [...new Set(err.errors.map(connectionErrorText))].join('; ');
  }
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const text = err.message.split('\n')[0]?.trim() || code || err.name;
    return code && !text.includes(code) ? `${code}: ${text}` : text;
  }
  return String(err);
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** Whether an error means "Redis is not reachable right now" rather than "this command is wrong". */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof AggregateError) return err.errors.some(isConnectionError);
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (code && CONNECTION_CODES.has(code)) return true;
  return /Connection is closed|connect ETIMEDOUT|Stream isn't writeable|ECONNREFUSED|ECONNRESET|socket hang up|LOADING/i.test(
    err.message,
  );
}

/**
 * One connection attempt with no retries and a bounded wait: resolves when Redis answers PING, or
 * throws RedisUnavailable naming REDIS_URL (password redacted) and the error.
 */
export async function probeRedis(connection: RedisConnection, timeoutMs = 2500): Promise<void> {
  const options: RedisOptions = {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // No ready check and no CLIENT SETNAME: the PING below is the one command waited on, so a Redis
    // that accepts connections and never answers costs at most two timeouts.
    enableReadyCheck: false,
  };
  const target = resolved(connection);
  const client =
    typeof target === 'string' ? new Redis(target, options) : new Redis({ ...target, ...options });
  let emitted: unknown;
  client.on('error', (err: unknown) => (emitted ??= err));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new RedisUnavailable(describeRedis(connection), connectionErrorText(emitted ?? err), {
      cause: emitted ?? err,
    });
  } finally {
    client.disconnect();
  }
}

/** Delay before attempt `n + 1` (n ≥ 1): 1 s, 2 s, 4 s … at most 30 s. */
export function redisRetryDelayMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
}

/**
 * For long-running processes (`serve`, `worker`): waits until Redis answers, trying again with backoff
 * and saying so in one log line per attempt.
 */
export async function waitForRedis(
  connection: RedisConnection,
  logger: Logger,
  options: { delayMs?: (attempt: number) => number } = {},
): Promise<void> {
  const delay = options.delayMs ?? redisRetryDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await probeRedis(connection);
      if (attempt > 1) logger.info({ attempt }, `Redis at REDIS_URL=${describeRedis(connection)} answers`);
      return;
    } catch (err) {
      const wait = delay(attempt);
      logger.warn(
        { attempt, retryInMs: wait },
        `${err instanceof Error ? err.message : String(err)} Trying again in ${Math.round(wait / 1000)} s (attempt ${attempt}); not ready until then.`,
      );
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
