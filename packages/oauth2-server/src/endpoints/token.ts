import type { ClientAuthRegistry } from '../client-auth/registry.js';
import type { AuthenticatedClient } from '../client-auth/types.js';
import { OAuth2Error, toPublicError } from '../errors.js';
import type { GrantRegistry } from '../grants/registry.js';
import type { GrantContext, GrantHandler } from '../grants/types.js';
import { FormParams } from '../internal/form.js';
import { errorBody, jsonResponse, singleHeader } from '../internal/http.js';
import type { KeyedHasher } from '../internal/keyed-hasher.js';
import type { OAuth2Store } from '../store.js';
import type { EndpointResponse, TokenRequest } from '../types.js';

export interface TokenEndpointDeps {
  store: OAuth2Store;
  hasher: KeyedHasher;
  grants: GrantRegistry;
  clientAuth: ClientAuthRegistry;
  scopesSupported: ReadonlySet<string>;
  issuer: () => string;
  now: () => Date;
  issueAccessToken: GrantContext['issueAccessToken'];
  onError: (err: unknown) => void;
}

// RFC 6749 §5.1: "The authorization server MUST include the HTTP "Cache-Control" response
// header field [RFC2616] with a value of "no-store" in any response containing tokens,
// credentials, or other sensitive information, as well as the "Pragma" response header
// field [RFC2616] with a value of "no-cache"." Applied to errors too.
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/**
 * The token endpoint as a pipeline of named steps (RFC 6749 §3.2):
 * method → content type → parameters → grant → client authentication → grant allowed → grant.
 */
export class TokenEndpoint {
  #deps: TokenEndpointDeps;

  constructor(deps: TokenEndpointDeps) {
    this.#deps = deps;
  }

  async handle(request: TokenRequest): Promise<EndpointResponse> {
    try {
      assertPost(request);
      const params = readForm(request);
      const grant = this.#deps.grants.select(params.get('grant_type'));
      const client = await this.#authenticateClient(request, params);
      assertGrantAllowed(client, grant);
      const body = await grant.handle(this.#grantContext(params, client));
      return jsonResponse(200, body, { ...NO_STORE });
    } catch (err) {
      return this.#errorResponse(err);
    }
  }

  async #authenticateClient(request: TokenRequest, params: FormParams): Promise<AuthenticatedClient> {
    const authorization = singleHeader(request.headers, 'authorization');
    return this.#deps.clientAuth.authenticate(
      { authorization, params },
      { store: this.#deps.store, hasher: this.#deps.hasher, realm: this.#deps.issuer() },
    );
  }

  #grantContext(params: FormParams, client: AuthenticatedClient): GrantContext {
    return {
      params,
      client,
      store: this.#deps.store,
      scopesSupported: this.#deps.scopesSupported,
      now: this.#deps.now(),
      issueAccessToken: this.#deps.issueAccessToken,
    };
  }

  #errorResponse(err: unknown): EndpointResponse {
    const { error, unexpected } = toPublicError(err);
    if (unexpected) safeReport(this.#deps.onError, err);
    return jsonResponse(error.status, errorBody(error), { ...error.headers, ...NO_STORE });
  }
}

function assertPost(request: TokenRequest): void {
  // RFC 6749 §3.2: "The client MUST use the HTTP "POST" method when making access token requests."
  if (request.method !== undefined && request.method.toUpperCase() !== 'POST') {
    throw new OAuth2Error('invalid_request', 'the token endpoint accepts POST requests only', {
      status: 405,
      headers: { allow: 'POST' },
    });
  }
}

function readForm(request: TokenRequest): FormParams {
  const contentType = singleHeader(request.headers, 'content-type');
  const mediaType = contentType?.split(';', 1)[0]!.trim().toLowerCase();
  // RFC 6749 §4.4.2 (and every grant): parameters use the
  // "application/x-www-form-urlencoded" format in the HTTP request entity-body.
  if (mediaType !== 'application/x-www-form-urlencoded') {
    throw new OAuth2Error('invalid_request', 'the request body must be application/x-www-form-urlencoded');
  }
  return FormParams.parse(typeof request.body === 'string' ? request.body : '');
}

function assertGrantAllowed(client: AuthenticatedClient, grant: GrantHandler): void {
  // RFC 6749 §5.2 unauthorized_client: "The authenticated client is not authorized to use
  // this authorization grant type."
  if (!client.client.grantTypes.includes(grant.grantType)) {
    throw new OAuth2Error('unauthorized_client', `the client is not allowed to use the ${grant.grantType} grant`);
  }
}

export function safeReport(onError: (err: unknown) => void, err: unknown): void {
  try {
    onError(err);
  } catch {
    // A failing error hook must not turn a 500 response into a throw.
  }
}
