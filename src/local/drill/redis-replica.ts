import { Redis } from 'ioredis';
import { LocalRedis } from '../redis-server.js';

/**
 * A real Redis replica of `primary`, standing in the secondary region: a LocalRedis of its own made a
 * replica with `REPLICAOF` (the runtime form of `--replicaof`: the same replication, without widening
 * LocalRedis's start-up options). Connected does not mean synced: callers wait for the link.
 */
export async function startReplicaOf(primary: { host: string; port: number }): Promise<LocalRedis> {
  const replica = await LocalRedis.start();
  const client = new Redis(replica.url, { maxRetriesPerRequest: 1 });
  try {
    await client.call('REPLICAOF', primary.host, String(primary.port));
  } catch (err) {
    await replica.destroy();
    throw err;
  } finally {
    client.disconnect();
  }
  return replica;
}
