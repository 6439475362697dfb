import { StorageError, errnoCode } from '../errors.js';
import { misconfigured } from './s3-config.js';

/**
 * Node's codes for a store that cannot be reached: refused, reset, unresolvable, unroutable,
 * timed out in the kernel. The SDK hands them on as Node raised them (`code`, no HTTP status).
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN',
  'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN',
]);

/** S3's answers for "not now": overloaded or failing inside; the SDK has already retried them. */
const BUSY_NAMES = new Set(['ServiceUnavailable', 'SlowDown', 'InternalError']);
const BUSY_STATUS = new Set([500, 502, 503, 504]);

/**
 * S3's outcomes as StorageErrors. A missing object is `NoSuchKey` when the response has a body
 * (GET) and a bare `NotFound` when it cannot (HEAD): both are `E_NOT_FOUND`. A missing bucket or
 * refused credentials are the operator's to fix: `E_MISCONFIGURED`, with the SDK error as cause.
 * A store that cannot be reached, does not answer in time or says it is overloaded is
 * `E_UNAVAILABLE` (503): nothing is wrong with the request, try again later.
 */
export function mapS3Error(err: unknown): unknown {
  if (err instanceof StorageError) return err;
  const name = (err as { name?: unknown })?.name;
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (name === 'NoSuchBucket') return misconfigured('the S3 bucket does not exist', err);
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return new StorageError('E_NOT_FOUND', 'file not found', { cause: err });
  }
  if (name === 'InvalidRange' || status === 416) {
    return new StorageError('E_RANGE_NOT_SATISFIABLE', 'range not satisfiable', { cause: err });
  }
  if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'AccessDenied' || status === 403) {
    return misconfigured('the S3 store refused the credentials', err);
  }
  if (unavailable(err, name, status)) {
    return new StorageError('E_UNAVAILABLE', 'the storage service is unavailable', { cause: err });
  }
  return err;
}

function unavailable(err: unknown, name: unknown, status: number | undefined): boolean {
  // @smithy/node-http-handler's connectionTimeout and socketTimeout both reject with a plain
  // Error named "TimeoutError"; an aborted attempt of a retry has no HTTP status either.
  if (name === 'TimeoutError') return true;
  const code = errnoCode(err);
  if (code !== undefined && NETWORK_CODES.has(code)) return true;
  if (typeof name === 'string' && BUSY_NAMES.has(name)) return true;
  return status !== undefined && BUSY_STATUS.has(status);
}
