import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP backend standing for one region's service in tests and the local drill: it answers every
 * request with `region=<name> backend=<name>` so a client can tell who served it, and can be switched
 * to fail (HTTP 503) or to answer slowly, as a region in trouble does.
 */
export type BackendBehaviour = { kind: 'healthy' } | { kind: 'failing' } | { kind: 'slow'; delayMs: number };

export class RegionBackend {
  behaviour: BackendBehaviour = { kind: 'healthy' };
  /** Requests served since start. */
  served = 0;
  private constructor(
    readonly region: string,
    readonly name: string,
    private readonly server: Server,
  ) {}

  static async start(region: string, name: string, host = '127.0.0.1'): Promise<RegionBackend> {
    let backend: RegionBackend | undefined;
    const server = createServer((req, res) => {
      const self = backend!;
      self.served++;
      const behaviour = self.behaviour;
      const reply = (): void => {
        if (behaviour.kind === 'failing') {
          res
            .writeHead(503, { 'content-type': 'text/plain' })
            .end(`region=${region} backend=${name} unavailable\n`);
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok region=${region} backend=${name}\n`);
      };
      req.resume();
      if (behaviour.kind === 'slow') setTimeout(reply, behaviour.delayMs);
      else reply();
    });
    server.keepAliveTimeout = 1_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    backend = new RegionBackend(region, name, server);
    return backend;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get host(): string {
    return (this.server.address() as AddressInfo).address;
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Sends `n` requests to `url` one after another (through a load balancer, typically) and counts which
 * region served each, as the region backends say in their body.
 */
export async function regionsServing(url: string, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const region = /region=(\S+)/.exec(await (await fetch(url)).text())?.[1] ?? 'unknown';
    counts[region] = (counts[region] ?? 0) + 1;
  }
  return counts;
}
