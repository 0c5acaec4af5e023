import { ErrorCode, MarshalError } from '../../errors/index.js';
import type { Runtime } from './runtime.js';

/** Replicas did not confirm a ledger write in time: the step is not started (BullMQ tries it again). */
export class ReplicaAckMissing extends MarshalError {
  override name = 'ReplicaAckMissing';
  constructor(what: string, wanted: number, got: number, timeoutMs: number) {
    super(
      ErrorCode.RedisUnavailable,
      `${what}: ${got} of ${wanted} Redis replica(s) confirmed the ledger write within ${timeoutMs} ms, so a failover could lose it; not going on (tried again). Fix: check the replicas (INFO replication on the primary: connected, lag).`,
      { retryable: true, context: { what, wanted, got, timeoutMs } },
    );
  }
}

/**
 * Behind Sentinel a failover promotes a replica, and Redis replicates asynchronously: a ledger write
 * the old primary took but had not passed on is lost with it. For the two writes a redo depends on (a
 * target's `started` record, before its step may change the host, and each checkpoint), WAIT until
 * `rt.replicaAcks` replicas hold it; the next attempt then finds the record and reconciles through the
 * step's `check` instead of applying again.
 */
export async function awaitReplicas(rt: Runtime, what: string): Promise<void> {
  if (rt.replicaAcks <= 0) return;
  const got = Number(await rt.redis.call('WAIT', rt.replicaAcks, rt.replicaAckTimeoutMs));
  if (got < rt.replicaAcks) throw new ReplicaAckMissing(what, rt.replicaAcks, got, rt.replicaAckTimeoutMs);
}
