import { StorageError } from '../errors.js';
import { misconfigured } from './s3-config.js';

/**
 * S3's outcomes as StorageErrors. A missing object is `NoSuchKey` when the response has a body
 * (GET) and a bare `NotFound` when it cannot (HEAD): both are `E_NOT_FOUND`. A missing bucket or
 * refused credentials are the operator's to fix: `E_MISCONFIGURED`, with the SDK error as cause.
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
  return err;
}
