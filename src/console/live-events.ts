import type { ServerResponse } from 'node:http';
import type { EventSubscription, RunEvent, RunEvents } from '../engine/model/events.js';

/**
 * One subscription to the run event stream per console, fanned out to its browsers as server-sent
 * events: each run page gets its run's events, the runs list gets all. A comment every 15 s keeps
 * proxies from closing idle streams.
 */
export class LiveEvents {
  private readonly clients = new Map<string, Set<ServerResponse>>();
  private subscription: EventSubscription | undefined;
  private readonly keepAlive = setInterval(() => this.each(() => true, ': keep-alive\n\n'), 15_000);

  async start(events: RunEvents): Promise<void> {
    this.keepAlive.unref();
    this.subscription = await events.subscribe((e) => this.send(e));
  }

  /** `runId` '*' follows every run. */
  follow(runId: string, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    let set = this.clients.get(runId);
    if (!set) this.clients.set(runId, (set = new Set()));
    set.add(res);
    res.on('close', () => {
      set.delete(res);
      if (set.size === 0) this.clients.delete(runId);
    });
  }

  private send(event: RunEvent): void {
    // Evidence may be large and is shown by the panel (scrubbed) when it refetches; the stream needn't carry it.
    const slim = event.type === 'gate.waiting' ? { ...event, evidence: undefined } : event;
    const frame = `data: ${JSON.stringify(slim)}\n\n`;
    this.each((runId) => runId === '*' || runId === event.runId, frame);
  }

  private each(match: (runId: string) => boolean, frame: string): void {
    for (const [runId, set] of this.clients) if (match(runId)) for (const res of set) res.write(frame);
  }

  async close(): Promise<void> {
    clearInterval(this.keepAlive);
    for (const set of this.clients.values()) for (const res of set) res.end();
    this.clients.clear();
    await this.subscription?.close();
  }
}
