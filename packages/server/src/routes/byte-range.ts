import type { FileStat } from '@tsforge/storage';

export type RangeDecision = { start: number; end: number } | 'unsatisfiable' | undefined;

// RFC 9110 §14.1.2: int-range = first-pos "-" [ last-pos ]; suffix-range = "-" suffix-length.
const SINGLE = /^bytes[ \t]*=[ \t]*(\d*)-(\d*)[ \t]*$/i;

/**
 * What to send for a GET with `Range` (RFC 9110 §14.2): one satisfiable range, 'unsatisfiable'
 * (416), or undefined for the whole file. Several ranges, a unit other than bytes and bad syntax
 * are ignored (the whole file, 200), which §14.2 allows; so is an `If-Range` (§13.1.5) that does
 * not name the current version by its strong etag.
 */
export function decideRange(range: string | undefined, ifRange: string | undefined, stat: FileStat): RangeDecision {
  if (range === undefined) return undefined;
  if (ifRange !== undefined && ifRange.trim() !== stat.etag) return undefined;
  const match = SINGLE.exec(range);
  if (!match) return undefined;
  const [, first, last] = match as unknown as [string, string, string];
  if (first === '' && last === '') return undefined;
  const size = stat.size;
  if (first === '') {
    // A suffix: the last N bytes (all of a shorter file); N = 0 selects nothing.
    const length = Number(last);
    if (!Number.isSafeInteger(length)) return undefined;
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(size - length, 0), end: size - 1 };
  }
  const start = Number(first);
  const lastPos = last === '' ? Number.MAX_SAFE_INTEGER : Number(last);
  // §14.1.1: a last-pos below first-pos makes the range invalid (ignored), not unsatisfiable.
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(lastPos) || lastPos < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(lastPos, size - 1) };
}
