import { LoadBalancerFailed } from '../../errors/load-balancer-failed.js';
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
import { describeEndpoint, sendRuntimeCommand, type RuntimeApiEndpoint } from './runtime-api.js';
import { HAPROXY_NAME, parseServersState, sessionsOf } from './servers-state.js';

/**
 * Drains and returns backend servers through HAProxy's runtime API (`set server <be>/<srv> state …`,
 * `show servers state`, `show stat`). The API needs `level admin` on its stats socket.
 */
export class HaproxyLoadBalancer implements LoadBalancer {
  private readonly where: string;

  constructor(private readonly endpoint: RuntimeApiEndpoint) {
    this.where = describeEndpoint(endpoint);
  }

  async state(target: LbServer, signal?: AbortSignal): Promise<LbServerState> {
    const { backend, server } = this.checked(target);
    const text = await this.send(`show servers state ${backend}`, signal);
    if (/^Can't find backend/m.test(text))
      throw new LoadBalancerFailed(this.where, `no backend named ${backend}`, { context: { backend } });
    const row = parseServersState(text).find((s) => s.server === server);
    if (!row)
      throw new LoadBalancerFailed(this.where, `backend ${backend} has no server named ${server}`, {
        context: { backend, server },
      });
    return row;
  }

  async drain(target: LbServer, ctx: BlockContext, options: DrainOptions = {}): Promise<void> {
    await this.setState(target, 'drain', ctx.signal);
    const timeoutMs = options.timeoutMs ?? 60_000;
    if (timeoutMs === 0) return;
    // Drained means no new sessions; the ones in flight are waited out so the host can be worked on.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = await this.sessions(target, ctx.signal);
      if (left === 0) return;
      if (Date.now() >= deadline)
        throw new LoadBalancerFailed(
          this.where,
          `${target.backend}/${target.server} still has ${left} session(s) ${Math.round(timeoutMs / 1000)} s after the drain`,
          { context: { ...target, sessions: left } },
        );
      await abortable(500, ctx.signal);
    }
  }

  async ready(target: LbServer, ctx: BlockContext): Promise<void> {
    await this.setState(target, 'ready', ctx.signal);
  }

  async check(target: LbServer, expected: LbAdminState): Promise<CheckResult> {
    return (await this.state(target)).admin === expected ? 'applied' : 'not_applied';
  }

  async sessions(target: LbServer, signal?: AbortSignal): Promise<number> {
    this.checked(target);
    const count = sessionsOf(await this.send('show stat', signal), target);
    if (count === undefined)
      throw new LoadBalancerFailed(this.where, `show stat lists no ${target.backend}/${target.server}`, {
        context: { ...target },
      });
    return count;
  }

  private async setState(target: LbServer, state: LbAdminState, signal: AbortSignal): Promise<void> {
    const { backend, server } = this.checked(target);
    const answer = (await this.send(`set server ${backend}/${server} state ${state}`, signal)).trim();
    // The runtime API answers a successful `set server … state` with nothing.
    if (answer !== '')
      throw new LoadBalancerFailed(this.where, `set ${backend}/${server} to ${state}: ${answer}`, {
        context: { backend, server, state },
      });
    const now = await this.state(target, signal);
    if (now.admin !== state)
      throw new LoadBalancerFailed(
        this.where,
        `${backend}/${server} is ${now.admin} after being set to ${state}`,
        {
          context: { backend, server, state },
        },
      );
  }

  private checked(target: LbServer): LbServer {
    for (const [field, value] of [
      ['backend', target.backend],
      ['server', target.server],
    ] as const)
      if (!HAPROXY_NAME.test(value))
        throw new LoadBalancerFailed(
          this.where,
          `${field} ${JSON.stringify(value)} is not a HAProxy name (letters, digits, _ . : - only)`,
          { context: { [field]: value } },
        );
    return target;
  }

  private send(command: string, signal?: AbortSignal): Promise<string> {
    return sendRuntimeCommand(this.endpoint, command, signal ? { signal } : {});
  }
}
