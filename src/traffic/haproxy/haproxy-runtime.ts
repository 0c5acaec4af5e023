import { didYouMean } from '../../inventory/closest-matches.js';
import { LoadBalancerError } from '../errors/load-balancer-error.js';
import { HaproxyName } from './haproxy-name.js';
import type { RuntimeSocket } from './runtime-socket.js';
import { parseServersState, type ServerState } from './servers-state.js';
import { parseStatCsv, type StatRow } from './stat-csv.js';

export type AdminState = 'ready' | 'drain' | 'maint';

/**
 * HAProxy's runtime API as the traffic shift and host blocks use it: read the live servers, check that
 * names exist (the dry run), set weights and admin states. Every name is checked against HAProxy's own
 * name grammar before it is put in a command line, so no caller can smuggle a second command in.
 * The live state read back after a change is the truth reported, not what was asked for.
 */
export class HaproxyRuntime {
  constructor(private readonly socket: RuntimeSocket) {}

  get address(): string {
    return this.socket.address;
  }

  /** `show servers state <backend>`; LoadBalancerError when the backend does not exist. */
  async serversState(backend: string, signal?: AbortSignal): Promise<ServerState[]> {
    const command = `show servers state ${name(backend, 'backend')}`;
    const answer = await this.socket.send(command, signal);
    if (/^Can't find backend/m.test(answer)) throw await this.missingBackend(backend, command, signal);
    return this.parsed(parseServersState(answer), command);
  }

  /** `show stat`: per proxy and server counters (sessions sent, responses by class). */
  async stats(signal?: AbortSignal): Promise<StatRow[]> {
    return this.parsed(parseStatCsv(await this.socket.send('show stat', signal)), 'show stat');
  }

  /** The backends HAProxy knows (from `show servers state`). */
  async backends(signal?: AbortSignal): Promise<string[]> {
    const command = 'show servers state';
    const all = this.parsed(parseServersState(await this.socket.send(command, signal)), command);
    return [...new Set(all.map((s) => s.backend))];
  }

  /**
   * The dry run of a routing change: the backend and every server named exist in the live state. Changes
   * nothing. One error names everything missing, with close names, so a typo fails in validation.
   */
  async verify(backend: string, servers: readonly string[], signal?: AbortSignal): Promise<ServerState[]> {
    for (const server of servers) name(server, 'server');
    const live = await this.serversState(backend, signal);
    const known = live.map((s) => s.server);
    const missing = servers.filter((s) => !known.includes(s));
    if (missing.length > 0)
      throw new LoadBalancerError(
        `HAProxy backend '${backend}' has no server ${missing
          .map((m) => `'${m}'${didYouMean(m, known)}`)
          .join(', ')}; its servers: ${known.join(', ') || 'none'}`,
        { socket: this.address, details: { backend, missing, known } },
      );
    return live.filter((s) => servers.includes(s.server));
  }

  /**
   * Sets the servers' weights, raising weights before lowering any, so capacity is never briefly
   * withdrawn from both regions. Reads the state back and fails, naming each server
   * whose live weight is not the one asked for, with HAProxy's own words.
   */
  async setWeights(
    backend: string,
    weights: ReadonlyMap<string, number>,
    signal?: AbortSignal,
  ): Promise<ServerState[]> {
    for (const [server, weight] of weights) {
      if (!Number.isInteger(weight) || weight < 0 || weight > 256)
        throw new RangeError(`weight ${weight} for ${server} is not a whole number 0–256`);
    }
    const before = await this.verify(backend, [...weights.keys()], signal);
    const current = new Map(before.map((s) => [s.server, s.weight]));
    const ordered = [...weights].sort(
      ([a, wa], [b, wb]) => Number(wa < current.get(a)!) - Number(wb < current.get(b)!),
    );
    const changes = ordered.filter(([server, weight]) => current.get(server) !== weight);
    if (changes.length === 0) return before;
    // One command per connection (the runtime API's `;` is never used, see UnixRuntimeSocket); stop at
    // the first refusal, then report what the live state holds.
    const answers: string[] = [];
    for (const [server, weight] of changes) {
      const answer = (await this.socket.send(`set weight ${backend}/${server} ${weight}`, signal)).trim();
      if (answer) {
        answers.push(`${server}: ${answer.replace(/\s*\n\s*/g, ' ')}`);
        break;
      }
    }
    const answer = answers.join('; ');
    const command = changes
      .map(([server, weight]) => `set weight ${backend}/${server} ${weight}`)
      .join(' / ');
    const after = await this.serversState(backend, signal);
    const wrong = [...weights].filter(
      ([server, weight]) => after.find((s) => s.server === server)?.weight !== weight,
    );
    if (wrong.length > 0)
      throw new LoadBalancerError(
        `HAProxy did not take every weight: ${wrong
          .map(
            ([server, weight]) =>
              `${server} is at ${after.find((s) => s.server === server)?.weight ?? '?'}, not ${weight}`,
          )
          .join(', ')}${answer ? ` (HAProxy said: ${answer})` : ''}`,
        { socket: this.address, command, details: { backend, live: after } },
      );
    return after;
  }

  /** `set server <backend>/<server> state ready|drain|maint`, checked by reading the state back. */
  async setState(
    backend: string,
    server: string,
    state: AdminState,
    signal?: AbortSignal,
  ): Promise<ServerState> {
    name(server, 'server');
    await this.verify(backend, [server], signal);
    const command = `set server ${name(backend, 'backend')}/${name(server, 'server')} state ${state}`;
    const answer = await this.socket.send(command, signal);
    const after = (await this.serversState(backend, signal)).find((s) => s.server === server);
    if (after?.admin !== state)
      throw new LoadBalancerError(
        `HAProxy left ${backend}/${server} in state ${after?.admin ?? 'unknown'}, not ${state}` +
          (answer.trim() ? ` (HAProxy said: ${answer.trim()})` : ''),
        { socket: this.address, command },
      );
    return after;
  }

  private parsed<T>(result: { ok: true; value: T } | { ok: false; problem: string }, command: string): T {
    if (result.ok) return result.value;
    throw new LoadBalancerError(
      `HAProxy answered '${command}' in a form Marshal cannot read: ${result.problem}`,
      {
        socket: this.address,
        command,
      },
    );
  }

  private async missingBackend(
    backend: string,
    command: string,
    signal?: AbortSignal,
  ): Promise<LoadBalancerError> {
    const known = await this.backends(signal).catch(() => []);
    return new LoadBalancerError(
      `HAProxy has no backend '${backend}'${didYouMean(backend, known)}; its backends: ${known.join(', ') || 'none'}`,
      { socket: this.address, command, details: { backend, known } },
    );
  }
}

function name(value: string, what: string): string {
  const checked = HaproxyName.safeParse(value);
  if (!checked.success)
    throw new RangeError(`${what} ${JSON.stringify(value)} ${checked.error.issues[0]?.message}`);
  return value;
}
