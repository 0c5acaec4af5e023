/** The one Redis command the guard uses (ioredis fits). */
export interface ReplayStore {
  set(key: string, value: string, ex: 'EX', seconds: number, nx: 'NX'): Promise<'OK' | null>;
}

/**
 * A signed Slack request stays valid for five minutes; whoever captures one could send it again. The
 * guard remembers what already started something (a command's trigger_id, an action's
 * action_ts+user+action_id) with SET NX, longer than the signature window, so a replay does nothing.
 */
export class ReplayGuard {
  constructor(
    private readonly store: ReplayStore,
    private readonly prefix = 'marshal:slack:seen',
    /** Outlives the 5-minute signature window with room to spare. */
    private readonly ttlSeconds = 900,
  ) {}

  /** True the first time `id` is claimed within the TTL; false for every repeat. */
  async firstTime(kind: 'command' | 'action', id: string): Promise<boolean> {
    const result = await this.store.set(`${this.prefix}:${kind}:${id}`, '1', 'EX', this.ttlSeconds, 'NX');
    return result === 'OK';
  }
}
