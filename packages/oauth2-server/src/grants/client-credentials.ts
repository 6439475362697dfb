import { OAuth2Error } from '../errors.js';
import { resolveScopes } from '../scope.js';
import type { TokenResponseBody } from '../types.js';
import type { GrantContext, GrantHandler } from './types.js';

/** RFC 6749 §4.4: a confidential client obtains a token for itself. */
export const clientCredentialsGrant: GrantHandler = {
  grantType: 'client_credentials',

  async handle(ctx: GrantContext): Promise<TokenResponseBody> {
    // RFC 6749 §4.4: "The client credentials grant type MUST only be used by confidential clients."
    if (!ctx.client.confidential) {
      throw new OAuth2Error('unauthorized_client', 'the client_credentials grant requires a confidential client');
    }
    const scopes = resolveScopes(ctx.params.get('scope'), ctx.client.client.scopes, ctx.scopesSupported);
    // RFC 6749 §4.4.3: "A refresh token SHOULD NOT be included." — never is, and no grant family.
    return ctx.tokens.issue({ clientId: ctx.client.client.id, userId: null, scopes, grantId: null });
  },
};
