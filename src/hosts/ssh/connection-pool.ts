import type { Client } from 'ssh2';
import type { Host } from '../host.js';

export interface Lease {
  readonly client: Client;
  release(): void;
  /** Gives the lease back and drops its connection: it died before the pool saw it close. */
  discard(): void;
}

interface Entry {
  key: string;
  client: Client | undefined;
  opening: Promise<Client> | undefined;
  active: number;
  waiting: (() => void)[];
  idleTimer: NodeJS.Timeout | undefined;
  closed: boolean;
  /** No new channel goes on it (its host key is no longer trusted); it ends when the last one does. */
  retired: boolean;
  onClose: (() => void)[];
}

export interface PoolOptions {
  maxConnections: number;
  maxChannelsPerConnection: number;
  idleCloseMs: number;
  /**
   * Who connects (e.g. the private key's fingerprint, or `agent`): part of a connection's key with the
   * host, its user, address and jump, so a connection is only ever reused as the identity that opened it.
   */
  identity?: string;
  open: (host: Host) => Promise<{ client: Client; onClose?: () => void }>;
  /**
   * Asked before a pooled connection carries another channel: the error to raise when what was trusted at
   * its handshake no longer is (its host key revoked or changed in known_hosts since). The connection
   * takes no new channel and ends once its channels have; the next acquire opens (and checks) a new one.
   */
  stillTrusted?: (host: Host, client: Client) => Error | undefined;
}

/** The signal's reason when it is an Error (the engine's AttemptSuperseded), else a plain abort error. */
function abortReason(host: Host, signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(`connection to ${host.name} no longer wanted: aborted`);
}

/** Resolves with `wait`, or rejects when `signal` aborts first; `cancel` undoes the wait's bookkeeping. */
function unlessAborted<T>(
  wait: Promise<T>,
  host: Host,
  signal: AbortSignal | undefined,
  cancel: () => void,
): Promise<T> {
  if (!signal) return wait;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      cancel();
      reject(abortReason(host, signal));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    wait.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * One SSH connection per host (and user, address, jump and identity), reused across steps and passes
 * (pre-checks, the rollout's steps, cleanup); channels on it capped; idle connections closed after
 * `idleCloseMs`. A global cap bounds open connections: at the cap, an idle connection is closed to make
 * room, or the caller waits for one to become idle. A caller whose signal aborts stops waiting (for a
 * channel, a connection slot or a handshake) at once, and leaves the pool as if it had never asked.
 */
export class ConnectionPool {
  private readonly entries = new Map<string, Entry>();
  private openCount = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private closing = false;

  constructor(private readonly options: PoolOptions) {}

  get size(): number {
    return this.openCount;
  }

  async acquire(host: Host, signal?: AbortSignal): Promise<Lease> {
    if (this.closing) throw new Error('connection pool is closed');
    if (signal?.aborted) throw abortReason(host, signal);
    const key = [
      host.name,
      `${host.user}@${host.address}:${host.port}`,
      host.jump ?? '',
      this.options.identity ?? '',
    ].join('|');
    for (;;) {
      let entry = this.entries.get(key);
      if (!entry || entry.closed || entry.retired) {
        entry = {
          key,
          client: undefined,
          opening: undefined,
          active: 0,
          waiting: [],
          idleTimer: undefined,
          closed: false,
          retired: false,
          onClose: [],
        };
        this.entries.set(key, entry);
      }
      if (entry.active >= this.options.maxChannelsPerConnection) {
        let wake!: () => void;
        const woken = new Promise<void>((r) => (wake = r));
        entry.waiting.push(wake);
        const waitingOn = entry;
        await unlessAborted(woken, host, signal, () => {
          const i = waitingOn.waiting.indexOf(wake);
          if (i >= 0) waitingOn.waiting.splice(i, 1);
        });
        continue;
      }
      entry.active++;
      clearTimeout(entry.idleTimer);
      const taken = entry;
      let given = false;
      const giveBack = (): void => {
        if (given) return;
        given = true;
        this.releaseChannel(taken);
      };
      // A connection opened for this very call was checked in its handshake; a pooled one is checked again.
      const pooled = entry.client !== undefined;
      let client: Client;
      try {
        client =
          entry.client ??
          (await unlessAborted((entry.opening ??= this.openEntry(entry, host)), host, signal, giveBack));
      } catch (err) {
        // A failed open already dropped the entry: only this caller's count is given back.
        if (!given) {
          given = true;
          entry.active--;
          entry.waiting.shift()?.();
        }
        throw err;
      }
      if (entry.closed || entry.retired) {
        giveBack();
        continue;
      }
      if (pooled) {
        const refusal = this.options.stillTrusted?.(host, client);
        if (refusal) {
          this.retire(entry);
          giveBack();
          throw refusal;
        }
      }
      return {
        client,
        release: giveBack,
        discard: () => {
          this.retire(taken);
          taken.client?.end();
          giveBack();
        },
      };
    }
  }

  /** Drops a host's connection (e.g. after the host rebooted); channels on it fail as the link closes. */
  discard(host: Host): void {
    for (const entry of this.entries.values()) {
      if (entry.key.startsWith(`${host.name}|`)) entry.client?.end();
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    const pending = [...this.entries.values()].map((e) =>
      e.client && !e.closed
        ? new Promise<void>((r) => {
            e.onClose.push(r);
            e.client?.end();
          })
        : Promise.resolve(),
    );
    await Promise.all(pending);
  }

  private async openEntry(entry: Entry, host: Host): Promise<Client> {
    await this.takeSlot();
    try {
      const { client, onClose } = await this.options.open(host);
      client.once('close', () => {
        entry.closed = true;
        clearTimeout(entry.idleTimer);
        if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
        this.openCount--;
        onClose?.();
        for (const w of entry.waiting.splice(0)) w();
        for (const cb of entry.onClose.splice(0)) cb();
        this.slotWaiters.shift()?.();
      });
      // Errors after 'ready' (keepalive timeout, reset) arrive here; 'close' follows and does the cleanup.
      client.on('error', () => {});
      entry.client = client;
      // Everyone who waited for this handshake gave up (aborted): it stays pooled, idle, for the next step.
      if (entry.active === 0) this.idle(entry);
      return client;
    } catch (err) {
      entry.closed = true;
      if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
      this.openCount--;
      this.slotWaiters.shift()?.();
      throw err;
    } finally {
      entry.opening = undefined;
    }
  }

  private async takeSlot(): Promise<void> {
    while (this.openCount >= this.options.maxConnections) {
      const idle = [...this.entries.values()].find((e) => e.active === 0 && e.client && !e.closed);
      if (idle) {
        idle.closed = true;
        this.entries.delete(idle.key);
        idle.client?.end();
      }
      await new Promise<void>((r) => this.slotWaiters.push(r));
    }
    this.openCount++;
  }

  /** Takes no new channel from now on; ends as soon as nothing runs on it. */
  private retire(entry: Entry): void {
    entry.retired = true;
    clearTimeout(entry.idleTimer);
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    // Callers queued for a channel on it go and open a connection of their own.
    for (const w of entry.waiting.splice(0)) w();
  }

  private releaseChannel(entry: Entry): void {
    entry.active--;
    if (entry.retired) {
      if (entry.active === 0) entry.client?.end();
      return;
    }
    const next = entry.waiting.shift();
    if (next) return next();
    if (entry.active > 0 || entry.closed || !entry.client) return;
    if (this.slotWaiters.length > 0) {
      // Someone waits for a connection slot: this idle one makes room.
      entry.closed = true;
      this.entries.delete(entry.key);
      entry.client.end();
      return;
    }
    this.idle(entry);
  }

  private idle(entry: Entry): void {
    clearTimeout(entry.idleTimer);
    entry.idleTimer = setTimeout(() => entry.client?.end(), this.options.idleCloseMs);
    entry.idleTimer.unref();
  }
}
