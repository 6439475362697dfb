import { types } from 'node:util';

const { isNativeError } = types;

export interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  cause?: unknown;
  errors?: unknown;
  [key: string]: unknown;
}

const HANDLED = new Set(['type', 'message', 'stack', 'cause', 'errors']);

/** Also true for errors from another realm (a `vm` context), which fail `instanceof Error`. */
export function isError(value: unknown): value is Error {
  return value instanceof Error || isNativeError(value);
}

function typeOf(err: Error): string {
  const ctor: unknown = (err as { constructor?: unknown }).constructor;
  if (typeof ctor === 'function' && ctor.name !== '' && ctor !== Object) return ctor.name;
  return typeof err.name === 'string' ? err.name : 'Error';
}

/**
 * One level of an error as plain data: `type`, `message`, `stack`, every own enumerable property
 * (`code`, `statusCode`, ...), then the raw `cause` and, for an AggregateError, the raw `errors`.
 * Nested errors are left as they are: the redaction walk serializes them in turn, so cycles,
 * depth and secrets are handled in one place.
 */
export function serializeError(err: Error): SerializedError {
  const out: SerializedError = { type: typeOf(err), message: String(err.message) };
  if (typeof err.stack === 'string') out.stack = err.stack;
  if (err.name !== out.type && typeof err.name === 'string' && err.name !== 'Error') out.name = err.name;
  for (const key of Object.keys(err)) {
    if (HANDLED.has(key)) continue;
    out[key] = (err as unknown as Record<string, unknown>)[key];
  }
  // `cause` set through the constructor option is an own, non-enumerable property.
  const cause = (err as { cause?: unknown }).cause;
  if (cause !== undefined) out.cause = cause;
  const errors = (err as { errors?: unknown }).errors;
  if (Array.isArray(errors)) out.errors = errors;
  return out;
}

/** pino's `err` serializer: errors are already plain data after the log formatter ran. */
export function passThroughSerializedError(value: unknown): unknown {
  return isError(value) ? serializeError(value) : value;
}
