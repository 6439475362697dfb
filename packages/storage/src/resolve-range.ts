import { StorageError } from './errors.js';
import type { ByteRange } from './types.js';

/**
 * A caller's `{ start, end? }` against a file of `size` bytes: `end` defaults to the last byte and
 * is clamped to it; a start at or past the end is `E_RANGE_NOT_SATISFIABLE` (RFC 9110 §14.1.2).
 */
export function resolveRange(range: { start: number; end?: number }, size: number): ByteRange {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
    throw new TypeError('range needs whole numbers 0 <= start <= end');
  }
  if (start >= size) throw new StorageError('E_RANGE_NOT_SATISFIABLE', `range starts at ${start} but the file has ${size} bytes`);
  return { start, end: Math.min(end ?? size - 1, size - 1) };
}
