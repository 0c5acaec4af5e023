import { HaproxyRuntime } from '../../../traffic/haproxy/haproxy-runtime.js';
import { UnixRuntimeSocket } from '../../../traffic/haproxy/runtime-socket.js';
import type { ServerState } from '../../../traffic/haproxy/servers-state.js';
import { LoadBalancerError } from '../../../traffic/errors/load-balancer-error.js';
import { abortable } from '../abortable-sleep.js';
import type {
  BlockContext,
  CheckResult,
  DrainOptions,
  LbAdminState,
  LbServer,
  LbServerState,
  LoadBalancer,
} from '../types.js';

/** Where HAProxy's runtime API listens: its admin stats socket (`stats socket <path> level admin`). */
export interface RuntimeApiEndpoint {
  socket: string;
}

/**
 * Drains and returns backend servers through HAProxy's runtime API, on the same client the traffic shift
 * uses (src/traffic/haproxy): names checked against HAProxy's grammar, every change read back.
 */
export class HaproxyLoadBalancer implements LoadBalancer {
  private readonly runtime: HaproxyRuntime;

  constructor(endpoint: RuntimeApiEndpoint) {
    this.runtime = new HaproxyRuntime(new UnixRuntimeSocket(endpoint.socket));
  }

  async state(target: LbServer, signal?: AbortSignal): Promise<LbServerState> {
    const [server] = await this.runtime.verify(target.backend, [target.server], signal);
    return stateOf(server!);
  }

  async drain(target: LbServer, ctx: BlockContext, options: DrainOptions = {}): Promise<void> {
    await this.runtime.setState(target.backend, target.server, 'drain', ctx.signal);
    const timeoutMs = options.timeoutMs ?? 60_000;
    if (timeoutMs === 0) return;
    // Drained means no new sessions; the ones in flight are waited out so the host can be worked on.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = await this.sessions(target, ctx.signal);
      if (left === 0) return;
      if (Date.now() >= deadline)
        throw new LoadBalancerError(
          `${target.backend}/${target.server} still has ${left} session(s) ${Math.round(timeoutMs / 1000)} s after the drain`,
          { socket: this.runtime.address, details: { ...target, sessions: left } },
        );
      await abortable(500, ctx.signal);
    }
  }

  async ready(target: LbServer, ctx: BlockContext): Promise<void> {
    await this.runtime.setState(target.backend, target.server, 'ready', ctx.signal);
  }

  async check(target: LbServer, expected: LbAdminState): Promise<CheckResult> {
    return (await this.state(target)).admin === expected ? 'applied' : 'not_applied';
  }

  async sessions(target: LbServer, signal?: AbortSignal): Promise<number> {
    const row = (await this.runtime.stats(signal)).find(
      (r) => r.pxname === target.backend && r.svname === target.server,
    );
    if (!row)
      throw new LoadBalancerError(`show stat lists no ${target.backend}/${target.server}`, {
        socket: this.runtime.address,
        details: { ...target },
      });
    return row.scur;
  }
}

function stateOf(s: ServerState): LbServerState {
  return {
    backend: s.backend,
    server: s.server,
    admin: s.admin,
    operational: s.operational,
    address: s.address,
    port: s.port,
  };
}
