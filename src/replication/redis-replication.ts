import { Redis } from 'ioredis';
import { parseInfoReplication, type ReplicationInfo } from './info-replication.js';
import { judgeReplication, type LagLimits, type ReplicationHealth } from './replication-health.js';
import { ReplicationUnhealthyError } from './replication-unhealthy-error.js';

/** What the check needs of a Redis server: its `INFO replication` text. ioredis's `info` fits. */
export interface InfoSource {
  info(section: 'replication'): Promise<string>;
}

/** One end of a replication link: where it listens (to match the other end's view) and its INFO. */
export interface RedisEnd extends InfoSource {
  host: string;
  port: number;
}

/**
 * Reads both ends' `INFO replication` and judges the link (see judgeReplication). Answers that cannot
 * be read are problems of the link, not crashes.
 */
export async function checkRedisReplication(link: {
  name: string;
  primary: RedisEnd;
  replica: RedisEnd;
  limits: LagLimits;
}): Promise<ReplicationHealth> {
  const [primary, replica] = await Promise.all([
    readInfo(link.primary, 'primary'),
    readInfo(link.replica, 'replica'),
  ]);
  const problems = [primary, replica].flatMap((r) => ('problem' in r ? [r.problem] : []));
  if ('problem' in replica) return { healthy: false, lagBytes: undefined, lagSeconds: undefined, problems };
  const judged = judgeReplication(
    'info' in primary ? primary.info : undefined,
    replica.info,
    link,
    link.limits,
  );
  return {
    ...judged,
    healthy: judged.healthy && problems.length === 0,
    problems: [...problems, ...judged.problems],
  };
}

/** The same, refusing with ReplicationUnhealthyError (each problem named) when the link is not healthy. */
export async function requireHealthyReplication(
  link: Parameters<typeof checkRedisReplication>[0],
): Promise<ReplicationHealth> {
  const health = await checkRedisReplication(link);
  if (!health.healthy)
    throw new ReplicationUnhealthyError(link.name, health.problems, {
      lagBytes: health.lagBytes,
      lagSeconds: health.lagSeconds,
    });
  return health;
}

async function readInfo(
  end: RedisEnd,
  role: string,
): Promise<{ info: ReplicationInfo } | { problem: string }> {
  let text: string;
  try {
    text = await end.info('replication');
  } catch (err) {
    return { problem: `cannot read the ${role} (${end.host}:${end.port}): ${(err as Error).message}` };
  }
  const parsed = parseInfoReplication(text);
  return parsed.ok
    ? { info: parsed.value }
    : { problem: `the ${role}'s INFO replication is unreadable: ${parsed.problem}` };
}

/**
 * A short-lived connection for one reading, from a scenario's `redis://host:port` and an optional password
 * (read by the caller from the environment variable the scenario names). Fails fast rather than retrying:
 * an unreachable end is a finding of the check.
 */
export function openRedisEnd(url: string, password?: string): RedisEnd & { close(): Promise<void> } {
  const parsed = new URL(url);
  const port = parsed.port ? Number(parsed.port) : 6379;
  const host = parsed.hostname;
  const client = new Redis({
    host,
    port,
    password,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: true,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // reported through the command's rejection
  return {
    host,
    port,
    info: (section) => client.info(section),
    close: async () => {
      // QUIT when connected, so the server sees a clean goodbye; an end that never connected just drops.
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}
