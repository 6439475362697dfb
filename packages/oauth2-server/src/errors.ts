export type OAuth2ErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'unsupported_token_type'
  | 'slow_down';

// RFC 6749 §5.2 (token endpoint) and RFC 6750 §3.1 (protected resources) fix these statuses.
const DEFAULT_STATUS: Record<OAuth2ErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  server_error: 500,
  temporarily_unavailable: 503,
  access_denied: 403,
  unsupported_response_type: 400,
  unsupported_token_type: 400,
  slow_down: 429,
};

export interface OAuth2ErrorOptions {
  status?: number;
  cause?: unknown;
  /** Extra response headers, e.g. a `www-authenticate` challenge or `allow`. Lower-case names. */
  headers?: Record<string, string>;
}

/**
 * An OAuth 2.0 error response in waiting. `description` is public (it becomes
 * `error_description`); private detail belongs in `cause`, which is never serialized.
 * `expose` is false for 5xx errors: their description is replaced by a generic one.
 */
export class OAuth2Error extends Error {
  readonly error: OAuth2ErrorCode;
  readonly status: number;
  readonly description: string;
  readonly expose: boolean;
  readonly headers: Readonly<Record<string, string>>;

  constructor(error: OAuth2ErrorCode, description: string, options: OAuth2ErrorOptions = {}) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OAuth2Error';
    this.error = error;
    this.status = options.status ?? DEFAULT_STATUS[error];
    this.description = description;
    this.expose = this.status < 500;
    this.headers = Object.freeze({ ...options.headers });
  }

  /** Same as `error`; the name every tsforge error class uses for its typed code. */
  get code(): OAuth2ErrorCode {
    return this.error;
  }
}

export const GENERIC_SERVER_ERROR = 'the server encountered an unexpected error';
/** A store that cannot answer (down, timed out) is not an unexpected error: the client may retry. */
export const UNAVAILABLE_DESCRIPTION = 'the server is temporarily unavailable; try again later';

/** Anything that is not an exposed OAuth2Error leaves as a generic `server_error`. */
export function toPublicError(err: unknown): { error: OAuth2Error; unexpected: boolean } {
  if (err instanceof OAuth2Error && err.expose) return { error: err, unexpected: false };
  const status = err instanceof OAuth2Error ? err.status : 500;
  const code = err instanceof OAuth2Error ? err.error : 'server_error';
  const description = code === 'temporarily_unavailable' ? UNAVAILABLE_DESCRIPTION : GENERIC_SERVER_ERROR;
  return { error: new OAuth2Error(code, description, { status, cause: err }), unexpected: true };
}
