import { StorageError } from './errors.js';

/**
 * RFC 9110 §13.1 request preconditions on a file's entity tag. `'*'` means "any current version";
 * a list holds quoted entity tags as sent (`"abc"`, `W/"abc"`).
 */
export interface Precondition {
  /** §13.1.1: go ahead only if the current version is one of these (or exists, for `'*'`). */
  ifMatch?: '*' | readonly string[];
  /** §13.1.2: go ahead only if the current version is none of these (or absent, for `'*'`). */
  ifNoneMatch?: '*' | readonly string[];
}

/** Whether `precondition` holds for the current version's etag (`undefined`: no file). */
export function preconditionHolds(precondition: Precondition, current: string | undefined): boolean {
  const { ifMatch, ifNoneMatch } = precondition;
  if (ifMatch !== undefined) {
    if (current === undefined) return false;
    // §13.1.1: "An origin server MUST use the strong comparison function when comparing entity-tags
    // for If-Match", so a weak tag never matches.
    if (ifMatch !== '*' && !ifMatch.some((tag) => !isWeak(tag) && tag === current)) return false;
  }
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch === '*') return current === undefined;
    // §13.1.2: "A recipient MUST use the weak comparison function when comparing entity-tags for
    // If-None-Match".
    if (current !== undefined && ifNoneMatch.some((tag) => opaque(tag) === opaque(current))) return false;
  }
  return true;
}

/** Throws `E_PRECONDITION_FAILED` unless `precondition` holds. */
export function checkPrecondition(precondition: Precondition | undefined, current: string | undefined): void {
  if (precondition && !preconditionHolds(precondition, current)) {
    throw new StorageError('E_PRECONDITION_FAILED', 'the file\'s current version does not satisfy If-Match / If-None-Match');
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
  return out.ifMatch === undefined && out.ifNoneMatch === undefined ? undefined : out;
}

function isWeak(tag: string): boolean {
  return tag.startsWith('W/');
}

function opaque(tag: string): string {
  return isWeak(tag) ? tag.slice(2) : tag;
}
