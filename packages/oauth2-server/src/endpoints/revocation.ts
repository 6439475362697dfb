import { OAuth2Error } from '../errors.js';
import { singleHeader } from '../internal/http.js';
import type { TokenService } from '../tokens.js';
import type { EndpointResponse, TokenRequest } from '../types.js';
import { assertPost, authenticateClient, type ClientAuthDeps, errorResponse, NO_STORE, readForm, storeCall } from './common.js';

export interface RevocationDeps extends ClientAuthDeps {
  tokens: TokenService;
  onError: (err: unknown) => void;
}

export type TokenTypeHint = 'access_token' | 'refresh_token';

/** What `revoke` did: nothing (unknown, expired or malformed token), or which kind it revoked. */
export type RevocationOutcome = 'not_found' | 'access_token' | 'refresh_token';

/**
 * RFC 7009 §2 token revocation. `revoke` is the plain operation (programmatic API, CLI);
 * `handle` is the endpoint: POST → form → client authentication → revoke → 200.
 */
export class RevocationEndpoint {
  #deps: RevocationDeps;

  constructor(deps: RevocationDeps) {
    this.#deps = deps;
  }

  async handle(request: TokenRequest): Promise<EndpointResponse> {
    try {
      assertPost(request, 'revocation endpoint');
      const params = readForm(request);
      const client = await authenticateClient(this.#deps, singleHeader(request.headers ?? {}, 'authorization'), params);
      const token = params.get('token');
      if (token === undefined) throw new OAuth2Error('invalid_request', 'the token parameter is missing');
      await storeCall(() => this.revoke(token, { clientId: client.client.id, hint: params.get('token_type_hint') }));
      // RFC 7009 §2.2: "The authorization server responds with HTTP status code 200 if the token
      // has been revoked successfully or if the client submitted an invalid token."
      return { status: 200, headers: { ...NO_STORE }, body: '' };
    } catch (err) {
      return errorResponse(err, this.#deps.onError).response;
    }
  }

  /**
   * Revokes `token` when it exists. With `clientId`, a token of another client is refused with
   * `unauthorized_client` (RFC 7009 §2.1: the server "verifies whether the token was issued to
   * the client making the revocation request. If this validation fails, the request is refused").
   */
  async revoke(token: string, o: { clientId?: string; hint?: string | undefined } = {}): Promise<RevocationOutcome> {
    const tokens = this.#deps.tokens;
    // RFC 7009 §2.1: the hint only orders the search; "If the server is unable to locate the
    // token using the given hint, it MUST extend its search across all of its supported token types."
    const order: TokenTypeHint[] = o.hint === 'refresh_token' ? ['refresh_token', 'access_token'] : ['access_token', 'refresh_token'];
    const refuseForeign = (r: { clientId: string }): void => {
      if (o.clientId !== undefined && r.clientId !== o.clientId) {
        throw new OAuth2Error('unauthorized_client', 'the token was not issued to this client');
      }
    };
    for (const kind of order) {
      if (kind === 'access_token') {
        const record = await tokens.findAccess(token);
        if (!record) continue;
        refuseForeign(record);
        await tokens.revokeAccess(record);
      } else {
        const record = await tokens.findRefresh(token);
        if (!record) continue;
        refuseForeign(record);
        // RFC 7009 §2.1: revoking a refresh token "SHOULD also invalidate all access tokens
        // based on the same authorization grant" — the whole grant family goes.
        await tokens.revokeGrant(record.grantId);
      }
      return kind;
    }
    return 'not_found';
  }
}
