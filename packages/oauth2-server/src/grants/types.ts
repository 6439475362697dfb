import type { AuthenticatedClient } from '../client-auth/types.js';
import type { FormParams } from '../internal/form.js';
import type { OAuth2Store } from '../store.js';
import type { TokenService } from '../tokens.js';
import type { TokenResponseBody } from '../types.js';
import type { Users } from '../users.js';

/** What the core offers a grant handler for one token request. */
export interface GrantContext {
  params: FormParams;
  /** Already authenticated by a registered client authentication method. */
  client: AuthenticatedClient;
  store: OAuth2Store;
  scopesSupported: ReadonlySet<string>;
  now: Date;
  tokens: TokenService;
  users: Users;
  /** True when the client may use the refresh_token grant and the server offers it. */
  issuesRefreshTokens: boolean;
  /** Seconds a rotated refresh token is still accepted (concurrent refreshes); 0 = never. */
  refreshTokenGracePeriod: number;
}

/**
 * One grant type (RFC 6749 §4), registered by `grantType`, the value of the `grant_type`
 * parameter. The token endpoint has already: parsed and de-duplicated parameters,
 * authenticated the client and checked that the client is registered for this grant.
 * The handler validates its own parameters and returns the §5.1 body, or throws OAuth2Error.
 */
export interface GrantHandler {
  readonly grantType: string;
  handle(ctx: GrantContext): Promise<TokenResponseBody>;
}
