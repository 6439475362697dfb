import type { FastifyInstance } from 'fastify';
import type { HttpMetrics, Metrics } from '@tsforge/metrics';
import type { MetricsAuth } from '../config.js';
import type { CompletionListener } from './request-context.js';
import { credentialGuard } from './credential-guard.js';

/** The HTTP metrics of one finished request, labelled by route template (for `installRequestContext`). */
export function observeRequest(http: HttpMetrics): CompletionListener {
  return (request, status, seconds) => http.observe({ method: request.method, route: request.routeOptions.url, status, seconds });
}

export interface HttpMetricsOptions {
  /** Credentials a scraper must present; undefined leaves `/metrics` open. */
  auth?: MetricsAuth | undefined;
}

/**
 * Tracks open connections and serves `/metrics`: Prometheus text 0.0.4, or OpenMetrics 1.0 when
 * the scraper's `Accept` prefers it; optionally behind a bearer token or basic auth.
 */
export function installHttpMetrics(app: FastifyInstance, metrics: Metrics, http: HttpMetrics, options: HttpMetricsOptions = {}): void {
  http.trackConnections(app.server);
  const guard = options.auth ? credentialGuard(options.auth, { realm: 'metrics', description: 'valid scrape credentials are required' }) : undefined;

  app.get('/metrics', {
    // A scraper must never be throttled away: gaps in the series hide exactly the overload
    // that throttling answers. `rateLimit: false` is how @fastify/rate-limit exempts a route.
    config: { rateLimit: false },
  }, async (request, reply) => {
    const outcome = guard?.check(request) ?? 'allowed';
    if (outcome !== 'allowed') return guard!.refuse(reply, outcome);
    const { contentType, body } = await metrics.scrape({ accept: request.headers.accept });
    return reply.header('content-type', contentType).header('cache-control', 'no-store').header('vary', 'Accept').send(body);
  });
}
