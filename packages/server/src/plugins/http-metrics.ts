import type { FastifyInstance } from 'fastify';
import type { HttpMetrics, Metrics } from '@tsforge/metrics';
import { onResponseClosed, recordedStatus } from './request-context.js';

/**
 * Counts and times every request by route template, tracks open connections, serves `/metrics`.
 * Needs `installRequestContext` first (it sets `request.startedAt`).
 */
export function installHttpMetrics(app: FastifyInstance, metrics: Metrics, http: HttpMetrics): void {
  app.addHook('onRequest', (request, reply, done) => {
    onResponseClosed(reply, () => http.observe({
      method: request.method,
      route: request.routeOptions.url,
      status: recordedStatus(request, reply),
      seconds: (performance.now() - request.startedAt) / 1000,
    }));
    done();
  });

  app.server.on('connection', (socket) => {
    http.connectionOpened();
    socket.once('close', () => http.connectionClosed());
  });

  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await metrics.scrape();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}
