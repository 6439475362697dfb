import { authenticationFailed } from '../client-auth/failure.js';
import { OAuth2Error } from '../errors.js';
import { jsonResponse, singleHeader } from '../internal/http.js';
import { formatScope } from '../scope.js';
import type { TokenService } from '../tokens.js';
import type { EndpointResponse, TokenRequest } from '../types.js';
import { assertPost, authenticateClient, type ClientAuthDeps, errorResponse, NO_STORE, readForm, storeCall } from './common.js';

export interface IntrospectionDeps extends ClientAuthDeps {
  tokens: TokenService;
  onError: (err: unknown) => void;
}

/** RFC 7662 §2.2 response. Only `active` when the token is not active. */
export interface IntrospectionResult {
  active: boolean;
  scope?: string;
  client_id?: string;
  token_type?: 'Bearer' | 'refresh_token';
  exp?: number;
  iat?: number;
  sub?: string;
  iss?: string;
}

const INACTIVE: IntrospectionResult = { active: false };
const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/** RFC 7662 token introspection: POST → form → caller authentication → look up → JSON. */
export class IntrospectionEndpoint {
  #deps: IntrospectionDeps;

  constructor(deps: IntrospectionDeps) {
    this.#deps = deps;
  }

  async handle(request: TokenRequest): Promise<EndpointResponse> {
    try {
      assertPost(request, 'introspection endpoint');
      const params = readForm(request);
      // RFC 7662 §2.1: "the endpoint MUST also require some form of authorization to access this endpoint".
      // A client_id alone (method none) is identification, not authorization: confidential callers only.
      const client = await authenticateClient(this.#deps, singleHeader(request.headers ?? {}, 'authorization'), params);
      if (!client.confidential) throw authenticationFailed();
      const token = params.get('token');
      if (token === undefined) throw new OAuth2Error('invalid_request', 'the token parameter is missing');
      const result = await storeCall(() => this.introspect(token, { clientId: client.client.id, hint: params.get('token_type_hint') }));
      return jsonResponse(200, result, { ...NO_STORE });
    } catch (err) {
      return errorResponse(err, this.#deps.onError).response;
    }
  }

  /**
   * With `clientId`, another client's token is reported inactive: a client sees only its own
   * tokens (RFC 7662 §4: the server "MAY respond differently to different protected resources").
   */
  async introspect(token: string, o: { clientId?: string; hint?: string | undefined } = {}): Promise<IntrospectionResult> {
    const tokens = this.#deps.tokens;
    const mine = (r: { clientId: string }): boolean => o.clientId === undefined || r.clientId === o.clientId;
    const order = o.hint === 'refresh_token' ? ['refresh_token', 'access_token'] : ['access_token', 'refresh_token'];
    for (const kind of order) {
      if (kind === 'access_token') {
        const r = await tokens.findAccess(token);
        if (!r) continue;
        if (!mine(r) || !tokens.isActive(r)) return INACTIVE;
        return this.#describe(r, 'Bearer');
      }
      const r = await tokens.findRefresh(token);
      if (!r) continue;
      if (!mine(r) || !tokens.isActive(r) || r.rotatedAt !== null) return INACTIVE;
      return this.#describe(r, 'refresh_token');
    }
    return INACTIVE;
  }

  #describe(r: { clientId: string; userId: string | null; scopes: string[]; expiresAt: Date; createdAt: Date }, type: 'Bearer' | 'refresh_token'): IntrospectionResult {
    const result: IntrospectionResult = {
      active: true,
      scope: formatScope(r.scopes),
      client_id: r.clientId,
      token_type: type,
      exp: seconds(r.expiresAt),
      iat: seconds(r.createdAt),
      iss: this.#deps.issuer(),
    };
    if (r.userId !== null) result.sub = r.userId;
    return result;
  }
}
