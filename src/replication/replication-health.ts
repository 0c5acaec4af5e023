import { isIP } from 'node:net';
import type { ReplicationInfo } from './info-replication.js';

export interface LagLimits {
  maxLagSeconds: number;
  maxLagBytes: number;
}

export interface ReplicationHealth {
  healthy: boolean;
  /** Bytes of the primary's stream the replica has not applied (primary offset − replica offset). */
  lagBytes: number | undefined;
  /** Seconds since the primary last heard the replica acknowledge (or the replica last heard the primary). */
  lagSeconds: number | undefined;
  /** Each reason it is not healthy, in words for the thread. */
  problems: string[];
}

/**
 * Whether a replica in the secondary region is fit to take over: both ends in the roles expected, the
 * replica following this primary with its link up and not resyncing, the primary listing it online, and
 * its lag in seconds and bytes under the limits. Pure: two INFO readings and where each end listens;
 * without the primary's reading (it cannot be reached) the replica's own view is still judged.
 */
export function judgeReplication(
  primary: ReplicationInfo | undefined,
  replica: ReplicationInfo,
  ends: { primary: { host: string; port: number }; replica: { host: string; port: number } },
  limits: LagLimits,
): ReplicationHealth {
  const problems: string[] = [];
  if (primary && primary.role !== 'primary')
    problems.push(`the primary (${at(ends.primary)}) is a replica, not a primary`);
  if (replica.role !== 'replica') {
    problems.push(`the replica (${at(ends.replica)}) is a primary: it replicates nothing`);
    return { healthy: false, lagBytes: undefined, lagSeconds: undefined, problems };
  }
  if (replica.primaryPort !== ends.primary.port || !sameHost(replica.primaryHost, ends.primary.host))
    problems.push(
      `the replica follows ${replica.primaryHost}:${replica.primaryPort}, not ${at(ends.primary)}`,
    );
  if (!replica.linkUp)
    problems.push(
      `the replica's link to its primary is down${replica.linkDownSeconds === undefined ? '' : ` (for ${replica.linkDownSeconds} s)`}`,
    );
  if (replica.syncing) problems.push('the replica is still in its initial sync');

  let lagBytes: number | undefined;
  let lagSeconds: number | undefined =
    replica.linkUp && replica.lastIoSecondsAgo >= 0 ? replica.lastIoSecondsAgo : undefined;
  if (primary?.role === 'primary') {
    const entry = primary.replicas.find(
      (r) => r.port === ends.replica.port && sameHost(r.ip, ends.replica.host),
    );
    if (!entry) problems.push(`the primary does not list the replica ${at(ends.replica)} among its replicas`);
    else {
      if (entry.state !== 'online')
        problems.push(`the primary sees the replica in state ${entry.state}, not online`);
      if (entry.lag >= 0) lagSeconds = entry.lag;
    }
    if (replica.offset >= 0) lagBytes = Math.max(0, primary.offset - replica.offset);
  }
  if (lagSeconds === undefined) problems.push('the replication lag in seconds is unknown');
  else if (lagSeconds > limits.maxLagSeconds)
    problems.push(`lag ${lagSeconds} s over ${limits.maxLagSeconds} s`);
  if (lagBytes !== undefined && lagBytes > limits.maxLagBytes)
    problems.push(`lag ${lagBytes} bytes over ${limits.maxLagBytes} bytes`);
  return { healthy: problems.length === 0, lagBytes, lagSeconds, problems };
}

function at(end: { host: string; port: number }): string {
  return `${end.host}:${end.port}`;
}

/**
 * Hosts as Redis reports them and as the scenario names them. `localhost` is the loopback; an address
 * and a host name cannot be compared without resolving, so only the port decides then.
 */
function sameHost(a: string, b: string): boolean {
  const norm = (h: string): string => (h === 'localhost' || h === '::1' ? '127.0.0.1' : h.toLowerCase());
  const [x, y] = [norm(a), norm(b)];
  return x === y || (isIP(x) === 0) !== (isIP(y) === 0);
}
