import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Answers a request it serves (returns true) or leaves it to the next handler (false). */
export type HttpRoutes = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface Readiness {
  ready: boolean;
  why?: string;
}

/**
 * `GET /healthz`: the process is alive (200 whenever it can answer). `GET /readyz`: 200 when it can do
 * its work (Redis reachable and its checks passed), else 503 with the reason, for load balancers and
 * orchestrators. The reason names REDIS_URL without its password, never a secret.
 */
export function healthRoutes(readiness: () => Readiness): HttpRoutes {
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/healthz' && path !== '/readyz') return false;
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return true;
    }
    const body = path === '/healthz' ? { live: true } : readiness();
    const status = path === '/readyz' && !(body as Readiness).ready ? 503 : 200;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    return true;
  };
}

/**
 * The health routes alone on `port`, while `serve` waits for Redis (the Slack app cannot start
 * before the engine): the port answers not-ready instead of refusing connections. Closed before the
 * Slack app takes the port over.
 */
export async function startHealthServer(port: number, host: string, routes: HttpRoutes): Promise<Server> {
  const server = createServer((req, res) => {
    if (!routes(req, res)) {
      req.resume();
      res.writeHead(503, { 'retry-after': '5' }).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

export async function stopHealthServer(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
