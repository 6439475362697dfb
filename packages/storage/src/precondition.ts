import { StorageError } from './errors.js';
import type { FileStat } from './types.js';

/**
 * RFC 9110 §13.1 request preconditions on a file's entity tag or modification time. `'*'` means
 * "any current version"; a list holds quoted entity tags as sent (`"abc"`, `W/"abc"`).
 */
export interface Precondition {
  /** §13.1.1: go ahead only if the current version is one of these (or exists, for `'*'`). */
  ifMatch?: '*' | readonly string[];
  /** §13.1.2: go ahead only if the current version is none of these (or absent, for `'*'`). */
  ifNoneMatch?: '*' | readonly string[];
  /**
   * §13.1.4: go ahead only if the file exists and was last modified at or before this time
   * (compared in whole seconds, HTTP-date precision). Ignored when `ifMatch` is given.
   */
  ifUnmodifiedSince?: Date;
}

/** What a precondition is judged against: the current version (`undefined`: no file). */
export type CurrentVersion = Pick<FileStat, 'etag' | 'lastModified'> | undefined;

/** Whether `precondition` holds for the current version. */
export function preconditionHolds(precondition: Precondition, current: CurrentVersion): boolean {
  const { ifMatch, ifNoneMatch, ifUnmodifiedSince } = precondition;
  if (ifMatch !== undefined) {
    if (current === undefined) return false;
    // §13.1.1: "An origin server MUST use the strong comparison function when comparing entity-tags
    // for If-Match", so a weak tag never matches.
    if (ifMatch !== '*' && !ifMatch.some((tag) => !isWeak(tag) && tag === current.etag)) return false;
  } else if (ifUnmodifiedSince !== undefined) {
    // §13.1.4: "A recipient MUST ignore If-Unmodified-Since if the request contains an If-Match
    // header field"; otherwise true only "if the selected representation's last modification date
    // is earlier than or equal to the date provided". No file, no such date: the version the
    // client saw is gone, so it fails like If-Match does.
    if (current === undefined || seconds(current.lastModified) > seconds(ifUnmodifiedSince)) return false;
  }
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch === '*') return current === undefined;
    // §13.1.2: "A recipient MUST use the weak comparison function when comparing entity-tags for
    // If-None-Match".
    if (current !== undefined && ifNoneMatch.some((tag) => opaque(tag) === opaque(current.etag))) return false;
  }
  return true;
}

/** Throws `E_PRECONDITION_FAILED` unless `precondition` holds. */
export function checkPrecondition(precondition: Precondition | undefined, current: CurrentVersion): void {
  if (precondition && !preconditionHolds(precondition, current)) {
    throw new StorageError('E_PRECONDITION_FAILED', 'the file\'s current version does not satisfy If-Match / If-None-Match / If-Unmodified-Since');
  }
}

/** A precondition to check, or undefined when it asks nothing; TypeError when malformed. */
export function normalizePrecondition(value: Precondition | undefined): Precondition | undefined {
  if (value === undefined) return undefined;
  const out: Precondition = {};
  for (const name of ['ifMatch', 'ifNoneMatch'] as const) {
    const tags = value[name];
    if (tags === undefined) continue;
    if (tags !== '*' && !(Array.isArray(tags) && tags.every((t) => typeof t === 'string'))) {
      throw new TypeError(`precondition.${name} must be "*" or a list of entity tags`);
    }
    out[name] = tags;
  }
  const since = value.ifUnmodifiedSince;
  if (since !== undefined) {
    if (!(since instanceof Date) || Number.isNaN(since.getTime())) throw new TypeError('precondition.ifUnmodifiedSince must be a valid Date');
    out.ifUnmodifiedSince = since;
  }
  return out.ifMatch === undefined && out.ifNoneMatch === undefined && out.ifUnmodifiedSince === undefined ? undefined : out;
}

/** Whole seconds: Last-Modified and HTTP-dates carry no finer time. */
function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function isWeak(tag: string): boolean {
  return tag.startsWith('W/');
}

function opaque(tag: string): string {
  return isWeak(tag) ? tag.slice(2) : tag;
}
