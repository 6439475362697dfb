export type StorageErrorCode =
  | 'E_NOT_FOUND'
  | 'E_INVALID_KEY'
  | 'E_PATH_TRAVERSAL'
  | 'E_SIGNATURE_INVALID'
  | 'E_SIGNATURE_EXPIRED'
  | 'E_EXPIRY_OUT_OF_RANGE'
  | 'E_MISCONFIGURED'
  | 'E_TOO_LARGE'
  | 'E_RANGE_NOT_SATISFIABLE'
  | 'E_PRECONDITION_FAILED'
  | 'E_CONFLICT'
  | 'E_UNAVAILABLE'
  | 'E_IO';

/** The HTTP status each code maps to; 5xx codes are never shown to a client. */
export const STORAGE_ERROR_STATUS: Readonly<Record<StorageErrorCode, number>> = Object.freeze({
  E_NOT_FOUND: 404,
  E_INVALID_KEY: 400,
  E_PATH_TRAVERSAL: 400,
  E_SIGNATURE_INVALID: 403,
  E_SIGNATURE_EXPIRED: 403,
  E_EXPIRY_OUT_OF_RANGE: 400,
  E_MISCONFIGURED: 500,
  E_TOO_LARGE: 413,
  E_RANGE_NOT_SATISFIABLE: 416,
  E_PRECONDITION_FAILED: 412,
  // RFC 9110 §15.5.10: the key is fine, the store's current state is not (a directory in the way).
  E_CONFLICT: 409,
  // RFC 9110 §15.6.4: the store cannot be reached or is overloaded, "which will likely be
  // alleviated after some delay". Not the client's doing, and not a bug of this server.
  E_UNAVAILABLE: 503,
  E_IO: 500,
});

/**
 * Every failure the storage layer reports on purpose. Callers branch on `code`; `message` is safe
 * to show a client only when `expose` is true (4xx). Unexpected driver failures arrive as `E_IO`
 * with the original error as `cause`, which belongs in a log, never in a response.
 */
export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly status: number;
  readonly expose: boolean;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StorageError';
    this.code = code;
    this.status = STORAGE_ERROR_STATUS[code];
    this.expose = this.status < 500;
  }

  static is(err: unknown, code?: StorageErrorCode): err is StorageError {
    return err instanceof StorageError && (code === undefined || err.code === code);
  }
}

/** Node's errno code of a system error, if it is one. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
