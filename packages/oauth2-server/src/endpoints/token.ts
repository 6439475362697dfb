import type { AuthenticatedClient } from '../client-auth/types.js';
import { OAuth2Error } from '../errors.js';
import type { GrantRegistry } from '../grants/registry.js';
import type { GrantContext, GrantHandler } from '../grants/types.js';
import type { FormParams } from '../internal/form.js';
import { jsonResponse, singleHeader } from '../internal/http.js';
import type { OAuth2Metrics } from '../metrics.js';
import type { TokenService } from '../tokens.js';
import type { EndpointResponse, TokenRequest, TokenResponseBody } from '../types.js';
import type { Users } from '../users.js';
import { assertPost, authenticateClient, type ClientAuthDeps, errorResponse, NO_STORE, readForm } from './common.js';

export { safeReport } from './common.js';

export interface TokenEndpointDeps extends ClientAuthDeps {
  grants: GrantRegistry;
  scopesSupported: ReadonlySet<string>;
  now: () => Date;
  tokens: TokenService;
  users: Users;
  refreshTokenGracePeriod: number;
  metrics: OAuth2Metrics | undefined;
  onError: (err: unknown) => void;
}

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
      assertPost(request, 'token endpoint');
      const params = readForm(request);
      const authorization = singleHeader(request.headers ?? {}, 'authorization');
      const body = await this.#run(params, authorization);
      return jsonResponse(200, body, { ...NO_STORE });
    } catch (err) {
      const { response, error } = errorResponse(err, this.#deps.onError);
      this.#count('error', error.error);
      return response;
    }
  }

  /** The same pipeline for the programmatic API: rejects with an exposable OAuth2Error. */
  async grant(params: FormParams, authorization?: string): Promise<TokenResponseBody> {
    try {
      return await this.#run(params, authorization);
    } catch (err) {
      const { error } = errorResponse(err, this.#deps.onError);
      this.#count('error', error.error);
      throw error;
    }
  }

  async #run(params: FormParams, authorization: string | undefined): Promise<TokenResponseBody> {
    const grant = this.#deps.grants.select(params.get('grant_type'));
    const client = await authenticateClient(this.#deps, authorization, params);
    assertGrantAllowed(client, grant);
    const body = await grant.handle(this.#grantContext(params, client));
    this.#count('issued', grant.grantType);
    return body;
  }

  #grantContext(params: FormParams, client: AuthenticatedClient): GrantContext {
    const d = this.#deps;
    return {
      params,
      client,
      store: d.store,
      scopesSupported: d.scopesSupported,
      now: d.now(),
      tokens: d.tokens,
      users: d.users,
      issuesRefreshTokens: d.grants.has('refresh_token') && client.client.grantTypes.includes('refresh_token'),
      refreshTokenGracePeriod: d.refreshTokenGracePeriod,
    };
  }

  #count(kind: 'issued' | 'error', label: string): void {
    const m = this.#deps.metrics;
    if (!m) return;
    try {
      if (kind === 'issued') m.tokenIssued(label);
      else m.tokenError(label);
    } catch {
      // A failing metrics sink must not change a token response.
    }
  }
}

function assertGrantAllowed(client: AuthenticatedClient, grant: GrantHandler): void {
  // RFC 6749 §5.2 unauthorized_client: "The authenticated client is not authorized to use
  // this authorization grant type."
  if (!client.client.grantTypes.includes(grant.grantType)) {
    throw new OAuth2Error('unauthorized_client', `the client is not allowed to use the ${grant.grantType} grant`);
  }
}
