import type { Client } from 'ssh2';
import type { Host } from '../host.js';

export interface Lease {
  readonly client: Client;
  release(): void;
}

interface Entry {
  key: string;
  client: Client | undefined;
  opening: Promise<Client> | undefined;
  active: number;
  waiting: (() => void)[];
  idleTimer: NodeJS.Timeout | undefined;
  closed: boolean;
  onClose: (() => void)[];
}

export interface PoolOptions {
  maxConnections: number;
  maxChannelsPerConnection: number;
  idleCloseMs: number;
  open: (host: Host) => Promise<{ client: Client; onClose?: () => void }>;
}

/**
 * One SSH connection per host, reused across steps; channels on it capped; idle connections closed.
 * A global cap bounds open connections: at the cap, an idle connection is closed to make room, or
 * the caller waits for one to become idle.
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

  async acquire(host: Host): Promise<Lease> {
    if (this.closing) throw new Error('connection pool is closed');
    const key = `${host.name}|${host.user}@${host.address}:${host.port}|${host.jump ?? ''}`;
    for (;;) {
      let entry = this.entries.get(key);
      if (!entry || entry.closed) {
        entry = {
          key,
          client: undefined,
          opening: undefined,
          active: 0,
          waiting: [],
          idleTimer: undefined,
          closed: false,
          onClose: [],
        };
        this.entries.set(key, entry);
      }
      if (entry.active >= this.options.maxChannelsPerConnection) {
        await new Promise<void>((r) => entry.waiting.push(r));
        continue;
      }
      entry.active++;
      clearTimeout(entry.idleTimer);
      try {
        const client = entry.client ?? (await (entry.opening ??= this.openEntry(entry, host)));
        if (entry.closed) {
          this.releaseChannel(entry);
          continue;
        }
        let released = false;
        return {
          client,
          release: () => {
            if (released) return;
            released = true;
            this.releaseChannel(entry);
          },
        };
      } catch (err) {
        entry.active--;
        entry.waiting.shift()?.();
        throw err;
      }
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

  private releaseChannel(entry: Entry): void {
    entry.active--;
    const next = entry.waiting.shift();
    if (next) return next();
    if (entry.active > 0 || entry.closed) return;
    if (this.slotWaiters.length > 0) {
      // Someone waits for a connection slot: this idle one makes room.
      entry.closed = true;
      this.entries.delete(entry.key);
      entry.client?.end();
      return;
    }
    entry.idleTimer = setTimeout(() => entry.client?.end(), this.options.idleCloseMs);
    entry.idleTimer.unref();
  }
}
