import type { FileStat } from '@tsforge/storage';

export type RangeDecision = { start: number; end: number } | 'unsatisfiable' | undefined;

// RFC 9110 §14.1.2: int-range = first-pos "-" [ last-pos ]; suffix-range = "-" suffix-length.
const SINGLE = /^bytes[ \t]*=[ \t]*(\d*)-(\d*)[ \t]*$/i;

/**
 * What to send for a GET with `Range` (RFC 9110 §14.2): one satisfiable range, 'unsatisfiable'
 * (416), or undefined for the whole file. Several ranges, a unit other than bytes and bad syntax
 * are ignored (the whole file, 200), which §14.2 allows; so is an `If-Range` (§13.1.5) that does
 * not name the current version by its strong etag.
 *
 * Positions are 1*DIGIT with no upper bound. One past 2^53 is read as what it is, a position
 * beyond the end of any file, never as a rounded neighbour: as a first-pos it is unsatisfiable,
 * as a last-pos or suffix-length it takes the file to its end, exactly as a merely large one does.
 */
export function decideRange(range: string | undefined, ifRange: string | undefined, stat: FileStat): RangeDecision {
  if (range === undefined) return undefined;
  // §13.1.5: an HTTP-date counts only if it is a strong validator (§8.8.2.2), which needs the
  // server to know the file did not change twice within that second; nothing records that, so a
  // date (like a weak etag) makes the condition false and the whole file is sent.
  if (ifRange !== undefined && ifRange.trim() !== stat.etag) return undefined;
  const match = SINGLE.exec(range);
  if (!match) return undefined;
  const [, first, last] = match as unknown as [string, string, string];
  if (first === '' && last === '') return undefined;
  const size = stat.size;
  if (first === '') {
    // §14.1.2: a suffix selects the last N bytes (all of a shorter file); N = 0 selects nothing.
    const length = position(last);
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(size - length, 0), end: size - 1 };
  }
  // §14.1.1: a last-pos below first-pos makes the range invalid (ignored), not unsatisfiable.
  if (last !== '' && compareDigits(last, first) < 0) return undefined;
  const start = position(first);
  // §14.1.2: a first-pos at or past the length is unsatisfiable; a last-pos past it means the end.
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === '' ? size - 1 : Math.min(position(last), size - 1) };
}

/** 1*DIGIT as a number: exact up to 2^53 - 1, Infinity beyond (past the end of any file). */
function position(digits: string): number {
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : Number.POSITIVE_INFINITY;
}

/** Compares two 1*DIGIT strings by value, exactly, whatever their length. */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}
