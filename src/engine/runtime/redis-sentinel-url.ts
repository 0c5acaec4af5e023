import type { RedisOptions } from 'ioredis';
import { z } from 'zod';

/**
 * `redis+sentinel://[[user]:password@]host:port[,host:port…]/<primary name>[/<db>]`: Redis behind
 * Sentinel (Debian's `redis-sentinel`). ioredis asks the sentinels where the primary is, and asks again
 * after a failover; the password is the primary's (and its replicas'), the sentinels need none.
 */
const SENTINEL_URL =
  /^redis\+sentinel:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/@]+)\/([A-Za-z0-9._-]+)(?:\/(\d{1,2}))?\/?$/;

const HostPort = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65535),
});

export function isSentinelUrl(url: string): boolean {
  return url.startsWith('redis+sentinel://');
}

/** The ioredis options of a `redis+sentinel://` URL; throws naming what is wrong. */
export function sentinelOptions(url: string): RedisOptions {
  const m = SENTINEL_URL.exec(url);
  if (!m) throw new Error('is not redis+sentinel://[:password@]host:port[,host:port…]/<primary name>[/<db>]');
  const [, user, password, hosts, name, db] = m;
  const sentinels = hosts!.split(',').map((hp) => {
    const at = hp.lastIndexOf(':');
    const parsed = HostPort.safeParse({ host: hp.slice(0, at), port: hp.slice(at + 1) });
    if (at <= 0 || !parsed.success) throw new Error(`sentinel "${hp}" is not host:port`);
    return parsed.data;
  });
  return {
    sentinels,
    name,
    // Hear of a failover from the sentinels (+switch-master) and move to the new primary at once…
    failoverDetector: true,
    // …and if a command still reaches the old one after it became a replica, reconnect and resend it.
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
    ...(user ? { username: decodeURIComponent(user) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
    ...(db ? { db: Number(db) } : {}),
  };
}

/** The URL without its password, for messages. */
export function describeSentinelUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
