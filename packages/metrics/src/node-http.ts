import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { HttpMetrics } from './http-metrics.js';
import type { Metrics } from './metrics.js';

export interface HttpMetricsMiddlewareOptions<Req extends IncomingMessage> {
  /**
   * The route template the request matched (`/users/:id`), asked once its response is over
   * (when a router has filled it in); `undefined` when nothing matched. Never the raw URL:
   * unmatched requests must share one label value, or every scanner probe becomes a series.
   */
  route(request: Req): string | undefined;
  /** A monotonic clock in milliseconds; default `performance.now`. */
  now?: () => number;
}

/** nginx's "client closed request": the client hung up before any response was sent. */
export const CLIENT_CLOSED_REQUEST = 499;

/**
 * Counts every request of a `node:http` server, or of any framework with Express-style
 * `(req, res, next)` middleware, in `http`. Mount it first so the duration covers the whole
 * exchange. A response is counted when it is over (`close`), so a client that hangs up
 * mid-download is counted too, and one that leaves before any response as 499.
 */
export function httpMetricsMiddleware<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse>(
  http: HttpMetrics,
  options: HttpMetricsMiddlewareOptions<Req>,
): (request: Req, response: Res, next?: (err?: unknown) => void) => void {
  if (typeof options?.route !== 'function') throw new TypeError('httpMetricsMiddleware needs a route(request) function');
  const now = options.now ?? (() => performance.now());
  const route = options.route;
  return function httpMetrics(request, response, next) {
    const started = now();
    response.once('close', () => {
      http.observe({
        method: request.method ?? '',
        route: route(request),
        status: response.headersSent ? response.statusCode : CLIENT_CLOSED_REQUEST,
        seconds: Math.max(0, (now() - started) / 1000),
      });
    });
    next?.();
  };
}

/**
 * A `(req, res)` handler serving the registry: Prometheus text 0.0.4, or OpenMetrics 1.0 when
 * the scraper's `Accept` prefers it, never cached. A failing collect callback gives a plain 500.
 */
export function metricsHandler(metrics: Metrics): (request: IncomingMessage, response: ServerResponse) => void {
  return function serveMetrics(request, response) {
    metrics.scrape({ accept: request.headers.accept }).then(
      ({ contentType, body }) => {
        response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store', vary: 'Accept' });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      // A collect callback failed: say so without its text (it is the application's, not the scraper's business).
      () => {
        if (response.headersSent) return void response.destroy();
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('metrics collection failed\n');
      },
    );
  };
}
