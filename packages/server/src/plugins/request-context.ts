import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createLineWriter, requestFields, type LineWriter, type Logger, type RequestContext, type SpanFields } from '@tsforge/logging';

/** Told of every finished exchange, with the status it is recorded with and its duration. */
export type CompletionListener = (request: FastifyRequest, status: number, seconds: number) => void;

export interface RequestContextOptions {
  logger: Logger;
  context: RequestContext;
  inFlight: RequestsInFlight;
  /** Called after the access-log line (e.g. HTTP metrics), from the same one listener. */
  onCompleted: CompletionListener;
}

/**
 * Gives every request an id (a sane incoming `X-Request-Id`, else a fresh one) and a span of a
 * trace (a valid incoming W3C `traceparent`, else a new trace), runs the rest of its handling
 * inside the logging context so any line written for it carries `request_id`, `trace_id` and
 * `span_id`, echoes
 * the id, and when the response is over writes one access-log line and tells `onCompleted`.
 */
export function installRequestContext(app: FastifyInstance, { logger, context, inFlight, onCompleted }: RequestContextOptions): void {
  const writeAccessLine = createLineWriter(logger, ACCESS_LINE_KEYS);
  app.addHook('onRequest', (request, reply, done) => {
    const fields = requestFields(request.headers);
    const requestId = fields.request_id;
    request.requestId = requestId;
    request.startedAt = performance.now();
    reply.header('x-request-id', requestId);
    // Set here rather than in an onSend hook: one header assignment, no extra hook per response.
    reply.header('x-content-type-options', 'nosniff');
    const socket = request.raw.socket;
    inFlight.set(socket, reply);
    // 'close', not Fastify's onResponse: that waits for 'finish', which never comes when a client
    // hangs up before a streamed body has ended, and such requests would vanish from logs and metrics.
    // `on`, not `once`: a response closes once, and `once` would wrap the listener per request.
    reply.raw.on('close', () => {
      inFlight.delete(socket);
      const status = recordedStatus(request, reply);
      const seconds = (performance.now() - request.startedAt) / 1000;
      logCompletion(writeAccessLine, request, fields, status, seconds, !reply.raw.writableFinished);
      onCompleted(request, status, seconds);
    });
    context.run(fields, done);
  });

  // A response sent before the request body was read (a 401 for an anonymous upload, a 413 by
  // Content-Length): Node would read and discard the rest to keep the connection, which may be
  // gigabytes. Close instead.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (bodyUnread(request.raw)) reply.header('connection', 'close');
    done(null, payload);
  });
}

/**
 * A request body not yet read to its end. `complete` alone is not it: a request without a body
 * becomes complete only after its 'request' event, so a route that answers synchronously
 * (/health) would close every keep-alive connection.
 */
function bodyUnread(raw: FastifyRequest['raw']): boolean {
  if (raw.complete) return false;
  const length = raw.headers['content-length'];
  return raw.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The exchange each connection is serving, so errors raised on the raw socket can be told to it. */
export type RequestsInFlight = WeakMap<Socket, FastifyReply>;

/**
 * The status a finished exchange is recorded with. A client that hung up before any response
 * was sent gets nginx's 499 ("client closed request"), or the status the server cut it off
 * with (`request.cutOffStatus`, e.g. 408 for an upload that was too slow).
 */
function recordedStatus(request: FastifyRequest, reply: FastifyReply): number {
  if (reply.raw.headersSent) return reply.statusCode;
  return request.cutOffStatus ?? CLIENT_CLOSED_REQUEST;
}

const CLIENT_CLOSED_REQUEST = 499;

const ACCESS_LINE_KEYS = [
  'request_id', 'trace_id', 'span_id', 'parent_span_id', 'method', 'route', 'path', 'status', 'duration_ms', 'aborted',
] as const;

type AccessLineWriter = LineWriter<(typeof ACCESS_LINE_KEYS)[number]>;

function logCompletion(write: AccessLineWriter, request: FastifyRequest, fields: SpanFields, status: number, seconds: number, aborted: boolean): void {
  // 'close' fires outside the request's context: its fields are written explicitly.
  const line = {
    request_id: fields.request_id,
    trace_id: fields.trace_id,
    span_id: fields.span_id,
    parent_span_id: fields.parent_span_id,
    method: request.method,
    route: request.routeOptions.url ?? null,
    // The path only: a query string may hold a signed URL's signature.
    path: pathOf(request.url),
    status,
    duration_ms: Math.round(seconds * 1e6) / 1000,
    aborted: aborted ? true : undefined,
  };
  // 501 answers a client asking for what the server does not do: not the server's failure.
  // /ready's 503 is its answer (draining, or a check failed, which the check logs itself), and a
  // request refused once shutdown has begun was sent to an instance on its way out.
  if (status === 503 && line.route === '/ready') write('info', line, 'not ready');
  else if (request.refusedAtShutdown) write('info', line, 'refused: shutting down');
  else if (status >= 500 && status !== 501) write('error', line, 'request failed');
  else if (request.cutOffStatus !== undefined) write('warn', line, 'request cut off by the server');
  else if (aborted) write('warn', line, 'request aborted by the client');
  else if (status < 400 && QUIET_ROUTES.has(line.route)) write('debug', line, 'request completed');
  else write('info', line, 'request completed');
}

/** Scrapes and probes every few seconds: their successful lines are debug, not info noise. */
const QUIET_ROUTES = new Set<string | null>(['/metrics', '/health', '/ready']);

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

declare module 'fastify' {
  interface FastifyRequest {
    requestId: string;
    startedAt: number;
    /** Set when the server drops a request on purpose, so it is recorded with this status. */
    cutOffStatus?: number;
  }
}
