import type { Server } from 'node:net';
import type { Counter } from './counter.js';
import type { Gauge } from './gauge.js';
import type { Histogram } from './histogram.js';
import type { Metrics } from './metrics.js';

/** The one `route` label value for every request that matched no route, so unknown URLs cannot create series. */
export const UNMATCHED_ROUTE = '<unmatched>';

/** Web latency buckets in seconds, from 5 ms to 10 s. */
export const HTTP_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

// The methods of RFC 9110 §9.3 that web applications route on. CONNECT and TRACE,
// extension methods (WebDAV's PROPFIND, ...) and garbage all count as OTHER,
// because the method token is client-chosen and otherwise unbounded.
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
export const OTHER_METHOD = 'OTHER';

export function normalizeMethod(method: string): string {
  const upper = typeof method === 'string' ? method.toUpperCase() : '';
  return KNOWN_METHODS.has(upper) ? upper : OTHER_METHOD;
}

export interface HttpMetricsOptions {
  buckets?: number[];
}

export interface HttpObservation {
  method: string;
  /** The matched route template (`/users/:id`), never the raw URL; undefined or '' when nothing matched. */
  route: string | undefined;
  status: number;
  seconds: number;
}

export type HttpLabel = 'method' | 'route' | 'status';

/**
 * RED metrics for an HTTP server, independent of any framework: the adapter
 * measures a request and calls `observe` once it has been answered.
 */
export class HttpMetrics {
  readonly requests: Counter<HttpLabel>;
  readonly duration: Histogram<HttpLabel>;
  readonly connections: Gauge<never>;

  constructor(metrics: Metrics, options: HttpMetricsOptions = {}) {
    const labelNames = ['method', 'route', 'status'] as const;
    this.requests = metrics.counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, matched route and status code.',
      labelNames,
    });
    this.duration = metrics.histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to sending its response, in seconds.',
      labelNames,
      buckets: options.buckets ?? [...HTTP_DURATION_BUCKETS],
    });
    this.connections = metrics.gauge<never>({
      name: 'active_connections',
      help: 'Client connections currently open.',
    });
  }

  observe(o: HttpObservation): void {
    // RFC 9110 §15: "Values outside the range 100..599 are invalid."
    if (!Number.isInteger(o.status) || o.status < 100 || o.status > 599) {
      throw new TypeError(`status must be an integer from 100 to 599, got ${String(o.status)}`);
    }
    if (typeof o.seconds !== 'number' || !Number.isFinite(o.seconds) || o.seconds < 0) {
      throw new TypeError(`seconds must be a finite number >= 0, got ${String(o.seconds)}`);
    }
    const labels = {
      method: normalizeMethod(o.method),
      route: o.route === undefined || o.route === '' ? UNMATCHED_ROUTE : o.route,
      status: String(o.status),
    };
    // Straight to prom-client, the values are checked above. A cache of bound series per label
    // set measured slower than this one small object (prom-client hashes the labels either way).
    this.requests.prom.inc(labels, 1);
    this.duration.prom.observe(labels, o.seconds);
  }

  /** Counts the connections of `server` in `active_connections` from now on. */
  trackConnections(server: Server): void {
    server.on('connection', (socket) => {
      this.connectionOpened();
      socket.once('close', () => this.connectionClosed());
    });
  }

  connectionOpened(): void {
    this.connections.inc();
  }

  connectionClosed(): void {
    this.connections.dec();
  }
}
