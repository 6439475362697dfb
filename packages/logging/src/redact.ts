import { KeyKind, REDACTED, createKeyClassifier } from './redact-keys.js';
import { redactUrlQuery } from './redact-url.js';
import { isError, serializeError } from './serialize-error.js';

export const CIRCULAR = '[Circular]';
export const TRUNCATED = '[Truncated]';
const MAX_DEPTH = 24;

/**
 * Returns its argument when nothing in it needs censoring (no copy, no allocation beyond the walk),
 * otherwise a copy in which only the changed path is new. The caller's object is never mutated.
 */
export type Redactor = <T>(value: T) => T;

/**
 * A deep, key-name based redactor. pino's own `redact` takes fixed paths; secrets arrive at any
 * depth (`req.headers.authorization`, `err.config.headers.cookie`, `body.users[3].password`), so
 * this walks the whole value instead. It also turns every `Error` it meets into plain data
 * (type, message, stack, own properties, `cause`, `errors`) so their contents are redacted too.
 * Values with a `toJSON` method (Date, Buffer, URL) are left to serialize themselves; a structure
 * deeper than 24 levels is cut with "[Truncated]", a reference to an ancestor becomes "[Circular]".
 */
export function createRedactor(extraKeys: readonly string[] = []): Redactor {
  const classify = createKeyClassifier(extraKeys);

  function walk(value: unknown, key: string | undefined, depth: number, ancestors: object[]): unknown {
    if (typeof value === 'string') {
      return key !== undefined && classify(key) === KeyKind.Url ? redactUrlQuery(value, classify) : value;
    }
    if (typeof value !== 'object' || value === null) return value;
    if (ancestors.includes(value)) return CIRCULAR;
    if (depth >= MAX_DEPTH) return TRUNCATED;
    if (isError(value)) {
      ancestors.push(value);
      const plain = walkObject(serializeError(value), depth, ancestors);
      ancestors.pop();
      return plain;
    }
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
    ancestors.push(value);
    const result = Array.isArray(value)
      ? walkArray(value, depth, ancestors)
      : walkObject(value as Record<string, unknown>, depth, ancestors);
    ancestors.pop();
    return result;
  }

  function walkArray(array: unknown[], depth: number, ancestors: object[]): unknown[] {
    let copy: unknown[] | undefined;
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      const next = walk(item, undefined, depth + 1, ancestors);
      if (copy === undefined && !Object.is(next, item)) copy = array.slice(0, i);
      if (copy !== undefined) copy.push(next);
    }
    return copy ?? array;
  }

  function walkObject(object: Record<string, unknown>, depth: number, ancestors: object[]): Record<string, unknown> {
    const keys = Object.keys(object);
    let copy: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const item = object[key];
      // Primitives are settled here, with the key classified once: most fields of a log line are
      // strings and numbers, and this saves a call into walk() for each.
      let next: unknown = item;
      if (item !== undefined) {
        const kind = classify(key);
        if (kind === KeyKind.Secret) next = REDACTED;
        else if (typeof item === 'string') next = kind === KeyKind.Url ? redactUrlQuery(item, classify) : item;
        else if (typeof item === 'object' && item !== null) next = walk(item, key, depth + 1, ancestors);
      }
      if (copy === undefined && !Object.is(next, item)) {
        copy = {};
        for (let j = 0; j < i; j++) assign(copy, keys[j] as string, object[keys[j] as string]);
      }
      if (copy !== undefined) assign(copy, key, next);
    }
    return copy ?? object;
  }

  return <T>(value: T): T => walk(value, undefined, 0, []) as T;
}

function assign(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
