import type { FastifyInstance } from 'fastify';
import type { HttpMetrics, Metrics } from '@tsforge/metrics';
import type { CompletionListener } from './request-context.js';

/** The HTTP metrics of one finished request, labelled by route template (for `installRequestContext`). */
export function observeRequest(http: HttpMetrics): CompletionListener {
  return (request, status, seconds) => http.observe({ method: request.method, route: request.routeOptions.url, status, seconds });
}

/** Tracks open connections and serves `/metrics`. */
export function installHttpMetrics(app: FastifyInstance, metrics: Metrics, http: HttpMetrics): void {
  app.server.on('connection', (socket) => {
    http.connectionOpened();
    socket.once('close', () => http.connectionClosed());
  });

  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await metrics.scrape();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}
