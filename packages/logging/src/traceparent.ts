import { RandomHexPool } from './random-hex.js';

/** A `traceparent` header read by the rules of W3C Trace Context (Level 1, §3.2). */
export interface TraceParent {
  version: string;
  traceId: string;
  parentId: string;
  flags: string;
}

// §3.2.2: every field is lowercase hex ("HEXDIGLC"); uppercase is not a valid traceparent.
const VERSION_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const FUTURE_VERSION = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-|$)/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_PARENT_ID = '0'.repeat(16);

/**
 * The parsed header, or `undefined` when it is not one to trust: any version other than `00`
 * must still start with the four version-00 fields, `ff` is forbidden (§3.2.2.1), and all-zero
 * trace or parent ids are invalid (§3.2.2.3, §3.2.2.4). A repeated header is invalid too: §3.2
 * allows one `traceparent` only.
 */
export function parseTraceParent(header: unknown): TraceParent | undefined {
  if (typeof header !== 'string' || header.length > 512) return undefined;
  const value = header.trim();
  const v00 = VERSION_00.exec(value);
  let fields: [string, string, string, string];
  if (v00) {
    fields = ['00', v00[1] as string, v00[2] as string, v00[3] as string];
  } else {
    // §4.3: a higher version is parsed as version 00 where it can be; anything after the flags
    // must be set off by a dash.
    const future = FUTURE_VERSION.exec(value);
    if (!future || future[1] === '00' || future[1] === 'ff') return undefined;
    fields = [future[1] as string, future[2] as string, future[3] as string, future[4] as string];
  }
  const [version, traceId, parentId, flags] = fields;
  if (traceId === ZERO_TRACE_ID || parentId === ZERO_PARENT_ID) return undefined;
  return { version, traceId, parentId, flags };
}

// Module-private and without observable state: a cache of entropy, like Node's for randomUUID().
const random = new RandomHexPool();

export function generateTraceId(): string {
  let id: string;
  do id = random.hex(16);
  while (id === ZERO_TRACE_ID);
  return id;
}

export function generateSpanId(): string {
  let id: string;
  do id = random.hex(8);
  while (id === ZERO_PARENT_ID);
  return id;
}

/** A version-00 header. Only the `sampled` bit (§3.2.2.5.1) of `flags` is carried over. */
export function formatTraceParent(traceId: string, spanId: string, flags: string): string {
  const sampled = (Number.parseInt(flags, 16) & 1) === 1 ? '01' : '00';
  return `00-${traceId}-${spanId}-${sampled}`;
}
