import { describe, expect, it } from 'vitest';
import { RandomHexPool } from '../src/random-hex.js';
import { generateSpanId, generateTraceId } from '../src/traceparent.js';

describe('random hex from a pooled entropy buffer', () => {
  it('gives 2 hex digits per byte and never the same bytes twice, across refills of the pool', () => {
    const pool = new RandomHexPool(64); // refilled every 4 ids of 16 bytes, or earlier when one does not fit
    const ids = Array.from({ length: 1000 }, (_, i) => pool.hex(i % 2 === 0 ? 16 : 8));
    for (const [i, id] of ids.entries()) expect(id).toMatch(i % 2 === 0 ? /^[0-9a-f]{32}$/ : /^[0-9a-f]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('W3C Trace Context §3.2.2.3, §3.2.2.4: generated trace and span ids are lowercase hex of the right length, each one new', () => {
    const traces = Array.from({ length: 500 }, generateTraceId);
    const spans = Array.from({ length: 500 }, generateSpanId);
    for (const id of traces) expect(id).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    for (const id of spans) expect(id).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
    expect(new Set(traces).size).toBe(500);
    expect(new Set(spans).size).toBe(500);
  });
});
