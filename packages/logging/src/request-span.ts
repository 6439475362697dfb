import type { RequestContext, RequestFields } from './request-context.js';
import { RequestId } from './request-id.js';
import { formatTraceParent, generateSpanId, generateTraceId, parseTraceParent } from './traceparent.js';

/** Header names as Node gives them: lowercase, a value or a list for a repeated header. */
export type IncomingHeaders = Record<string, string | string[] | undefined>;

/** The fields of one request: what every line written inside it carries. */
export interface SpanFields extends RequestFields {
  request_id: string;
  trace_id: string;
  span_id: string;
  /** The caller's span, from a valid `traceparent`. */
  parent_span_id?: string;
}

/** What is passed on to the services this request calls, but not written on every line. */
interface Propagation {
  flags: string;
  tracestate?: string;
}

/**
 * The fields as a class so propagation can travel with them in a private field: invisible to
 * `for...in`, `Object.keys` and JSON, so it never reaches a line. A non-enumerable property
 * did the same, but `Object.defineProperty` cost ~0.35 µs per request and left an object that
 * is slower to copy into each line (bench/http-stack.mjs).
 */
class Span implements SpanFields {
  [key: string]: unknown;
  request_id: string;
  trace_id: string;
  span_id: string;
  declare parent_span_id?: string;
  readonly #propagation: Propagation;

  constructor(requestId: string, traceId: string, propagation: Propagation) {
    this.request_id = requestId;
    this.trace_id = traceId;
    this.span_id = generateSpanId();
    this.#propagation = propagation;
  }

  static propagationOf(fields: unknown): Propagation | undefined {
    return fields instanceof Span ? fields.#propagation : undefined;
  }
}

// A trace started here is marked sampled, so the services it calls record their part.
const NEW_TRACE: Propagation = Object.freeze({ flags: '01' });

// W3C Trace Context §3.3: at most 32 list members, at most 512 characters are worth keeping;
// printable ASCII only, so a hostile value cannot reach another service's logs as a control sequence.
const TRACESTATE = /^[\x20-\x7e]{1,512}$/;

/**
 * The fields for a request arriving with `headers`: a sane `x-request-id` is kept, anything else
 * is replaced (`RequestId.from`); a valid `traceparent` gives the trace id and the parent span,
 * an invalid or missing one starts a new trace. Either way this request gets its own span id.
 */
export function requestFields(headers: IncomingHeaders = {}): SpanFields {
  const requestId = RequestId.from(headers['x-request-id']);
  const parent = Array.isArray(headers.traceparent) ? undefined : parseTraceParent(headers.traceparent);
  if (parent === undefined) return new Span(requestId, generateTraceId(), NEW_TRACE);
  const tracestate = headers.tracestate;
  const state = typeof tracestate === 'string' && TRACESTATE.test(tracestate) ? tracestate : undefined;
  const fields = new Span(requestId, parent.traceId, state === undefined ? { flags: parent.flags } : { flags: parent.flags, tracestate: state });
  fields.parent_span_id = parent.parentId;
  return fields;
}

/** Runs `fn` as one request: every line it writes, across awaits and timers, carries the request's fields. */
export function runRequest<R>(context: RequestContext, headers: IncomingHeaders | undefined, fn: () => R): R {
  return context.run(requestFields(headers), fn);
}

/**
 * Headers for a call this request makes to another service: `traceparent` with the same trace id
 * and a new span id, the incoming `tracestate` unchanged, and `x-request-id`. Outside a request,
 * a new trace. Spread them into `fetch(url, { headers: { ...outgoingHeaders(context) } })`.
 */
export function outgoingHeaders(context: RequestContext): Record<string, string> {
  const fields = context.current();
  const traceId = typeof fields?.trace_id === 'string' ? fields.trace_id : generateTraceId();
  const propagation = Span.propagationOf(fields);
  const headers: Record<string, string> = { traceparent: formatTraceParent(traceId, generateSpanId(), propagation?.flags ?? '01') };
  if (propagation?.tracestate !== undefined) headers.tracestate = propagation.tracestate;
  if (fields !== undefined) headers['x-request-id'] = fields.request_id;
  return headers;
}
