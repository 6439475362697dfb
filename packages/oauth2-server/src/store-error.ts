export type OAuth2StoreErrorCode = 'conflict' | 'unknown_client' | 'schema_too_new' | 'closed';

/**
 * A store failure callers can branch on. Every `OAuth2Store` implementation maps its
 * driver errors onto these codes (the store contract suite checks it); the driver
 * error is kept as `cause`.
 */
export class OAuth2StoreError extends Error {
  readonly code: OAuth2StoreErrorCode;
  readonly status = 500;
  readonly expose = false;

  constructor(code: OAuth2StoreErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OAuth2StoreError';
    this.code = code;
  }
}
