import type { HttpRoutes } from '../app/health.js';
import type { MarshalMetrics } from './marshal-metrics.js';

/** `GET /metrics`: the process's metrics in Prometheus's text format. */
export function metricsRoute(metrics: MarshalMetrics): HttpRoutes {
  return (req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/metrics') return false;
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return true;
    }
    metrics.text().then(
      (body) => res.writeHead(200, { 'content-type': metrics.contentType }).end(body),
      (err: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(err)}\n`),
    );
    return true;
  };
}

/** Several route sets, tried in order. */
export function routes(...all: HttpRoutes[]): HttpRoutes {
  return (req, res) => all.some((r) => r(req, res));
}
