import { openRedisEnd } from '../replication/redis-replication.js';
import { DirectDnsReader } from '../traffic/dns/dns-reader.js';
import { KnsupdateSender } from '../traffic/dns/knsupdate-client.js';
import { HaproxyRuntime } from '../traffic/haproxy/haproxy-runtime.js';
import { UnixRuntimeSocket } from '../traffic/haproxy/runtime-socket.js';
import { DrillTraffic } from './drill-traffic.js';
import type { Scenario } from './scenario/scenario-schema.js';

/** A scenario's traffic controls on the real parts it names: HAProxy's socket, knsupdate, DNS queries, Redis. */
export function createDrillTraffic(
  scenario: Scenario,
  env: Readonly<Record<string, string | undefined>>,
): DrillTraffic {
  return new DrillTraffic({
    scenario,
    env,
    haproxy: new HaproxyRuntime(new UnixRuntimeSocket(scenario.traffic.haproxy.socket)),
    dns: { sender: new KnsupdateSender(), reader: (server) => new DirectDnsReader(server) },
    redis: openRedisEnd,
  });
}
