import { OAuth2Error, toPublicError } from '../errors.js';
import { challenge, errorBody, jsonResponse } from '../internal/http.js';
import { isScopeToken } from '../scope.js';
import type { EndpointResponse, TokenInfo } from '../types.js';
import { environmentFailure } from './common.js';
import { safeReport } from './token.js';

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token;
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

export interface BearerDeps {
  realm: () => string;
  validate: (token: string) => Promise<TokenInfo | null>;
  onError: (err: unknown) => void;
}

export type BearerResult = { ok: true; token: TokenInfo } | { ok: false; response: EndpointResponse };

/** RFC 6750 protected-resource check: header → token → scope, each failure with its challenge. */
export async function authenticateBearer(
  deps: BearerDeps,
  authorization: string | string[] | undefined,
  requiredScope: string,
): Promise<BearerResult> {
  if (typeof requiredScope !== 'string' || !isScopeToken(requiredScope)) {
    throw new TypeError('authenticateBearer: requiredScope must be a single scope token (RFC 6749 §3.3)');
  }
  try {
    const token = readBearer(authorization);
    if (token === NO_CREDENTIALS) return { ok: false, response: credentialsRequired(deps.realm()) };
    const info = await deps.validate(token);
    if (!info) throw new OAuth2Error('invalid_token', 'the access token is invalid or has expired');
    if (!info.hasScope(requiredScope)) {
      return { ok: false, response: insufficientScope(deps.realm(), requiredScope) };
    }
    return { ok: true, token: info };
  } catch (err) {
    // A store that cannot answer is a 503 the caller may retry, never a 500 or a false 401.
    const { error, unexpected } = toPublicError(environmentFailure(err));
    if (unexpected) safeReport(deps.onError, err);
    return { ok: false, response: errorResponse(deps.realm(), error) };
  }
}

/** The request carried no bearer credentials at all (as opposed to bad ones). */
const NO_CREDENTIALS = Symbol('no credentials');

function readBearer(authorization: string | string[] | undefined): string | typeof NO_CREDENTIALS {
  let header = authorization;
  if (Array.isArray(header)) {
    // RFC 6750 §3.1 invalid_request: "uses more than one method for including an access token".
    if (header.length > 1) throw new OAuth2Error('invalid_request', 'more than one Authorization header');
    header = header[0];
  }
  if (header === undefined || header.trim() === '') return NO_CREDENTIALS;
  const value = header.trim();
  // RFC 6750 §3.1: a request "attempted using an unsupported authentication method" lacks
  // authentication information, like one with no header: 401, not 400.
  if (!/^bearer(\s|$)/i.test(value)) return NO_CREDENTIALS;
  const match = BEARER.exec(value);
  if (!match) throw new OAuth2Error('invalid_request', 'the Authorization header is not "Bearer <token>"');
  return match[1]!;
}

function errorResponse(realm: string, error: OAuth2Error): EndpointResponse {
  const status = error.status;
  const params = error.expose
    ? { realm, error: error.error, error_description: error.description }
    : { realm };
  const headers: Record<string, string> = status === 401 || status === 400 || status === 403
    ? { 'www-authenticate': challenge('Bearer', params) }
    : {};
  return jsonResponse(status, errorBody(error), headers);
}

/**
 * RFC 6750 §3.1: "If the request lacks any authentication information [...], the resource
 * server SHOULD NOT include an error code or other error information": the challenge names the
 * realm alone. The JSON body says what is needed without an RFC 6750 error code.
 */
function credentialsRequired(realm: string): EndpointResponse {
  return jsonResponse(401, { error: 'unauthorized', error_description: 'a bearer access token is required' }, {
    'www-authenticate': challenge('Bearer', { realm }),
  });
}

function insufficientScope(realm: string, scope: string): EndpointResponse {
  // RFC 6750 §3.1: insufficient_scope → 403, "MAY include the scope attribute with the scope
  // necessary to access the protected resource".
  const description = 'the access token does not grant the required scope';
  return jsonResponse(403, { error: 'insufficient_scope', error_description: description, scope }, {
    'www-authenticate': challenge('Bearer', { realm, error: 'insufficient_scope', error_description: description, scope }),
  });
}
