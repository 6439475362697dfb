import { AsyncResource } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { initLogging } from '../src/logging.js';
import { outgoingHeaders, requestFields } from '../src/request-span.js';
import { RequestContext } from '../src/request-context.js';
import { parseTraceParent } from '../src/traceparent.js';
import { capture } from './helpers.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${PARENT}-01`;

describe('W3C Trace Context traceparent parsing', () => {
  it('§3.2: a version-00 header gives trace id, parent id and flags', () => {
    expect(parseTraceParent(VALID)).toEqual({ version: '00', traceId: TRACE, parentId: PARENT, flags: '01' });
  });

  it('§4.3: a higher version is read by its version-00 prefix when what follows is set off by "-"', () => {
    expect(parseTraceParent(`cc-${TRACE}-${PARENT}-01-what-the-future-holds`)).toMatchObject({ version: 'cc', traceId: TRACE });
    expect(parseTraceParent(`cc-${TRACE}-${PARENT}-01`)).toMatchObject({ version: 'cc' });
    expect(parseTraceParent(`cc-${TRACE}-${PARENT}-01x`)).toBeUndefined();
  });

  it.each([
    ['§3.2.2.1 version ff is forbidden', `ff-${TRACE}-${PARENT}-01`],
    ['§3.2.2.3 an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['§3.2.2.4 an all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['§3.2.2 uppercase hex', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['a short trace id', `00-${TRACE.slice(1)}-${PARENT}-01`],
    ['a long parent id', `00-${TRACE}-${PARENT}0-01`],
    ['a one-digit flags field', `00-${TRACE}-${PARENT}-1`],
    ['version 00 with trailing data', `${VALID}-extra`],
    ['non-hex characters', `00-${TRACE.slice(0, 31)}g-${PARENT}-01`],
    ['a control character', `00-${TRACE}-${PARENT}-0\u0007`],
    ['an injection attempt', `${VALID}" injected="1`],
    ['a 10 KB value', `00-${TRACE}-${PARENT}-01-${'a'.repeat(10_000)}`],
    ['empty', ''],
    ['not a string', 42],
  ])('%s is not trusted', (_title, header) => {
    expect(parseTraceParent(header)).toBeUndefined();
  });
});

describe('request fields from incoming headers', () => {
  it('a valid traceparent gives the trace id and parent span; this request gets its own span id', () => {
    const fields = requestFields({ traceparent: VALID, 'x-request-id': 'abc-123' });
    expect(fields).toEqual({ request_id: 'abc-123', trace_id: TRACE, span_id: expect.stringMatching(/^[0-9a-f]{16}$/), parent_span_id: PARENT });
    expect(fields.span_id).not.toBe(PARENT);
  });

  it.each([
    `ff-${TRACE}-${PARENT}-01`,
    `00-${'0'.repeat(32)}-${PARENT}-01`,
    `00-${TRACE.toUpperCase()}-${PARENT}-01`,
    `00-${TRACE}abc-${PARENT}-01`,
  ])('an invalid traceparent %j is replaced by a new trace, never copied', (traceparent) => {
    const fields = requestFields({ traceparent });
    expect(fields.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(fields.trace_id).not.toBe(TRACE);
    expect(fields.trace_id).not.toBe('0'.repeat(32));
    expect(fields.parent_span_id).toBeUndefined();
  });

  it('§3.2: a repeated traceparent header is invalid', () => {
    expect(requestFields({ traceparent: [VALID, VALID] }).trace_id).not.toBe(TRACE);
  });

  it('a hostile x-request-id is replaced (cases: quotes, 10 KB, control characters)', () => {
    for (const header of ['spoofed" injected="1', 'a'.repeat(10_240), 'a\nb', 'a\u001b[2Jb']) {
      expect(requestFields({ 'x-request-id': header }).request_id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('propagation on outgoing calls', () => {
  it('same trace id, a new span id each call, the flags and tracestate carried, x-request-id', () => {
    const context = new RequestContext();
    const fields = requestFields({ traceparent: VALID, tracestate: 'congo=t61rcWkgMzE', 'x-request-id': 'abc-123' });
    const [first, second] = context.run(fields, () => [outgoingHeaders(context), outgoingHeaders(context)]);
    for (const headers of [first, second]) {
      expect(headers).toEqual({
        traceparent: expect.stringMatching(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`)),
        tracestate: 'congo=t61rcWkgMzE',
        'x-request-id': 'abc-123',
      });
      expect(parseTraceParent(headers?.traceparent)).toBeDefined();
      expect(headers?.traceparent).not.toContain(PARENT);
      expect(headers?.traceparent).not.toContain(fields.span_id);
    }
    expect(first?.traceparent).not.toBe(second?.traceparent);
  });

  it('an unsampled caller stays unsampled; tracestate from an untrusted traceparent is dropped', () => {
    const context = new RequestContext();
    const unsampled = context.run(requestFields({ traceparent: `00-${TRACE}-${PARENT}-00` }), () => outgoingHeaders(context));
    expect(unsampled.traceparent).toMatch(/-00$/);
    const dropped = context.run(requestFields({ traceparent: 'garbage', tracestate: 'a=b' }), () => outgoingHeaders(context));
    expect(dropped.tracestate).toBeUndefined();
  });

  it('outside a request: a fresh, valid traceparent and no request id', () => {
    const headers = outgoingHeaders(new RequestContext());
    expect(parseTraceParent(headers.traceparent)).toBeDefined();
    expect(headers['x-request-id']).toBeUndefined();
  });
});

describe('every line in a request carries request_id, trace_id and span_id', () => {
  it('across await, timers, a stream, an event emitter and a queued callback; never the propagation state', async () => {
    const out = capture();
    const logging = initLogging({ destination: out.stream });
    const log = logging.module('app');
    const queue: Array<() => void> = [];
    const emitter = new EventEmitter();

    const request = logging.runRequest({ traceparent: VALID, 'x-request-id': 'req-1' }, async () => {
      log.info('start');
      await new Promise((resolve) => setTimeout(resolve, 2));
      log.info('after await');
      await new Promise<void>((resolve) => setImmediate(() => { log.info('immediate'); resolve(); }));
      await new Promise<void>((resolve) => {
        Readable.from(['a', 'b']).on('data', (chunk) => log.info({ chunk }, 'stream data')).on('end', resolve);
      });
      emitter.once('ping', () => log.info('emitter'));
      queueMicrotask(() => log.info('microtask'));
      // Callbacks queued for a worker that runs them later, outside the request: one bound with
      // AsyncResource.bind keeps the request's fields, a plain one runs in the worker's context.
      queue.push(AsyncResource.bind(() => log.info('queued, bound')));
      queue.push(() => log.info('queued, unbound'));
    });
    const other = logging.runRequest({}, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.info('other request');
    });
    await Promise.all([request, other]);
    emitter.emit('ping');
    for (const run of queue) run();
    log.info('outside');

    const records = out.records();
    const ours = records.filter((r) => r.request_id === 'req-1');
    expect(ours.map((r) => r.msg)).toEqual(['start', 'after await', 'immediate', 'stream data', 'stream data', 'microtask', 'queued, bound']);
    for (const r of ours) {
      expect(r).toMatchObject({ trace_id: TRACE, parent_span_id: PARENT, span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
      expect(Object.keys(r)).not.toContain('tracestate');
    }
    expect(new Set(ours.map((r) => r.span_id)).size).toBe(1);
    const otherLine = records.find((r) => r.msg === 'other request');
    expect(otherLine?.trace_id).not.toBe(TRACE);
    expect(otherLine?.request_id).not.toBe('req-1');
    // The emitter fired outside any request: its listener runs in the emitter's context.
    expect(records.find((r) => r.msg === 'emitter')?.request_id).toBeUndefined();
    expect(records.find((r) => r.msg === 'queued, unbound')?.request_id).toBeUndefined();
    expect(records.find((r) => r.msg === 'outside')?.request_id).toBeUndefined();
  });
});

