import type { ClientAuthRegistry } from '../client-auth/registry.js';
import type { AuthenticatedClient } from '../client-auth/types.js';
import { OAuth2Error, toPublicError } from '../errors.js';
import { FormParams } from '../internal/form.js';
import { errorBody, jsonResponse, singleHeader } from '../internal/http.js';
import type { KeyedHasher } from '../internal/keyed-hasher.js';
import type { OAuth2Store } from '../store.js';
import type { EndpointResponse, TokenRequest } from '../types.js';

// RFC 6749 §5.1: "The authorization server MUST include the HTTP "Cache-Control" response
// header field [RFC2616] with a value of "no-store" in any response containing tokens,
// credentials, or other sensitive information, as well as the "Pragma" response header
// field [RFC2616] with a value of "no-cache"." Applied to errors, revocation and introspection too.
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

export interface ClientAuthDeps {
  store: OAuth2Store;
  hasher: KeyedHasher;
  clientAuth: ClientAuthRegistry;
  issuer: () => string;
}

export function assertPost(request: TokenRequest, endpoint: string): void {
  // RFC 6749 §3.2 (and RFC 7009 §2.1, RFC 7662 §2.1): POST only.
  if (request.method !== undefined && request.method.toUpperCase() !== 'POST') {
    throw new OAuth2Error('invalid_request', `the ${endpoint} accepts POST requests only`, { status: 405, headers: { allow: 'POST' } });
  }
}

export function readForm(request: TokenRequest): FormParams {
  const contentType = singleHeader(request.headers ?? {}, 'content-type');
  const mediaType = contentType?.split(';', 1)[0]!.trim().toLowerCase();
  // RFC 6749 §3.2 / Appendix B: parameters use the "application/x-www-form-urlencoded" format.
  if (mediaType !== 'application/x-www-form-urlencoded') {
    throw new OAuth2Error('invalid_request', 'the request body must be application/x-www-form-urlencoded');
  }
  return FormParams.parse(typeof request.body === 'string' ? request.body : '');
}

export function authenticateClient(deps: ClientAuthDeps, authorization: string | undefined, params: FormParams): Promise<AuthenticatedClient> {
  return deps.clientAuth.authenticate({ authorization, params }, { store: deps.store, hasher: deps.hasher, realm: deps.issuer() });
}

/**
 * The answer for a failed request. A failure that is not an OAuth error and not a bug in the
 * code (a store that cannot answer, a full disk, a closed database) is a 503
 * `temporarily_unavailable`: the client may retry, and nothing claims a success. Both kinds
 * are reported to `onError` and leave with a generic description.
 */
export function errorResponse(err: unknown, onError: (err: unknown) => void): { response: EndpointResponse; error: OAuth2Error } {
  const { error, unexpected } = toPublicError(environmentFailure(err));
  if (unexpected) safeReport(onError, err);
  return { response: jsonResponse(error.status, errorBody(error), { ...error.headers, ...NO_STORE }), error };
}

/**
 * RFC 7009 §2.2.1 / RFC 7662: a store that cannot answer must not produce a false success.
 * Any failure of `work` becomes 503 `temporarily_unavailable` (the cause is only logged).
 */
export async function storeCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw unavailable(err);
  }
}

/** A failure as the public sees it: a bug stays itself (500), anything else not OAuth is a 503. */
export function environmentFailure(err: unknown): unknown {
  return isBug(err) ? err : unavailable(err);
}

function unavailable(err: unknown): unknown {
  if (err instanceof OAuth2Error) return err;
  return new OAuth2Error('temporarily_unavailable', 'the authorization server is temporarily unable to handle the request', { cause: err });
}

/** Errors that mean the code is wrong, not the environment: they stay a 500 `server_error`. */
function isBug(err: unknown): boolean {
  return err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError || err instanceof SyntaxError;
}

export function safeReport(onError: (err: unknown) => void, err: unknown): void {
  try {
    onError(err);
  } catch {
    // A failing error hook must not turn a 500 response into a throw.
  }
}
