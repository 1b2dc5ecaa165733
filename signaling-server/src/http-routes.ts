/**
 * The plain-HTTP side of the server: liveness, readiness, metrics, and
 * whatever the embedder serves (a demo's static files) through onRequest.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface HttpRoutes {
  stats: () => { rooms: number; peers: number; connections: number };
  draining: () => boolean;
  /** Why this instance should get no new sockets; empty when ready. */
  notReadyReasons: () => string[];
  metricsText: () => string;
  onRequest: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

export function createHttpHandler(routes: HttpRoutes): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      // Liveness: 200 while the process serves at all, so an orchestrator never kills a draining instance early.
      res.writeHead(200, JSON_HEADERS);
      res.end(JSON.stringify({ status: routes.draining() ? 'draining' : 'ok', ...routes.stats() }));
      return;
    }
    if (path === '/readyz') {
      // Readiness: a load balancer should send new clients only where they can be admitted.
      const reasons = routes.notReadyReasons();
      res.writeHead(reasons.length === 0 ? 200 : 503, JSON_HEADERS);
      res.end(JSON.stringify({ ready: reasons.length === 0, reasons }));
      return;
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'cache-control': 'no-store' });
      res.end(routes.metricsText());
      return;
    }
    if (routes.onRequest) {
      routes.onRequest(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  };
}
