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

// Kept under a symbol so it travels with the fields without being written on every line.
const PROPAGATION = Symbol('tsforge.propagation');

interface Propagation {
  flags: string;
  tracestate?: string;
}

type WithPropagation = SpanFields & { [PROPAGATION]?: Propagation };

// W3C Trace Context §3.3: at most 32 list members, at most 512 characters are worth keeping;
// printable ASCII only, so a hostile value cannot reach another service's logs as a control sequence.
const TRACESTATE = /^[\x20-\x7e]{1,512}$/;

/**
 * The fields for a request arriving with `headers`: a sane `x-request-id` is kept, anything else
 * is replaced (`RequestId.from`); a valid `traceparent` gives the trace id and the parent span,
 * an invalid or missing one starts a new trace. Either way this request gets its own span id.
 */
export function requestFields(headers: IncomingHeaders = {}): SpanFields {
  const parent = Array.isArray(headers.traceparent) ? undefined : parseTraceParent(headers.traceparent);
  const fields: WithPropagation = {
    request_id: RequestId.from(headers['x-request-id']),
    trace_id: parent?.traceId ?? generateTraceId(),
    span_id: generateSpanId(),
  };
  if (parent) fields.parent_span_id = parent.parentId;
  const tracestate = headers.tracestate;
  const state = parent && typeof tracestate === 'string' && TRACESTATE.test(tracestate) ? tracestate : undefined;
  Object.defineProperty(fields, PROPAGATION, {
    value: { flags: parent?.flags ?? '01', ...(state === undefined ? {} : { tracestate: state }) } satisfies Propagation,
    enumerable: false,
  });
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
  const fields = context.current() as WithPropagation | undefined;
  const traceId = typeof fields?.trace_id === 'string' ? fields.trace_id : generateTraceId();
  const propagation = fields?.[PROPAGATION];
  const headers: Record<string, string> = { traceparent: formatTraceParent(traceId, generateSpanId(), propagation?.flags ?? '01') };
  if (propagation?.tracestate !== undefined) headers.tracestate = propagation.tracestate;
  if (fields !== undefined) headers['x-request-id'] = fields.request_id;
  return headers;
}
