import { OAuth2Error } from '../errors.js';
import { newId } from '../internal/random.js';
import { resolveScopes } from '../scope.js';
import type { TokenResponseBody } from '../types.js';
import type { GrantContext, GrantHandler } from './types.js';

/**
 * RFC 6749 §4.3, legacy: registered only when `enablePasswordGrant` is set (RFC 9700 §2.4:
 * "The resource owner password credentials grant MUST NOT be used").
 */
export const passwordGrant: GrantHandler = {
  grantType: 'password',

  async handle(ctx: GrantContext): Promise<TokenResponseBody> {
    const username = ctx.params.get('username');
    const password = ctx.params.get('password');
    if (username === undefined || password === undefined) {
      throw new OAuth2Error('invalid_request', 'the username and password parameters are required');
    }
    const scopes = resolveScopes(ctx.params.get('scope'), ctx.client.client.scopes, ctx.scopesSupported);
    // §4.3.2: "validate the resource owner password credentials" — invalid ones are invalid_grant (§5.2).
    const userId = await ctx.users.verify(username, password);
    if (userId === null) throw new OAuth2Error('invalid_grant', 'the username or password is wrong');
    return ctx.tokens.issue({
      clientId: ctx.client.client.id,
      userId,
      scopes,
      grantId: newId('gr_'),
      ...(ctx.issuesRefreshTokens ? { refreshScopes: scopes } : {}),
    });
  },
};
