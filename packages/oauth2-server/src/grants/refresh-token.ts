import { OAuth2Error } from '../errors.js';
import { parseScope } from '../scope.js';
import type { RefreshTokenRecord, TokenResponseBody } from '../types.js';
import type { GrantContext, GrantHandler } from './types.js';

const invalidGrant = (description: string): OAuth2Error => new OAuth2Error('invalid_grant', description);

/**
 * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): every use consumes the presented token and
 * issues a successor in the same grant family; presenting a consumed one again revokes the
 * family, unless it falls inside the optional grace window for concurrent refreshes.
 */
export const refreshTokenGrant: GrantHandler = {
  grantType: 'refresh_token',

  async handle(ctx: GrantContext): Promise<TokenResponseBody> {
    const token = ctx.params.get('refresh_token');
    if (token === undefined) throw new OAuth2Error('invalid_request', 'the refresh_token parameter is missing');
    const hash = ctx.tokens.refreshHash(token);
    if (hash === null) throw invalidGrant('the refresh token is invalid');
    // RFC 6749 §5.2 / §6: every check runs before the token is consumed, so a request that fails
    // (a wider scope, an expired token) changes nothing and the client's next, correct refresh
    // is not taken for a reuse.
    const presented = await ctx.store.refreshTokens.find(hash);
    // RFC 6749 §6: the token is bound to the client; another client's token is simply unknown.
    if (!presented || presented.clientId !== ctx.client.client.id) throw invalidGrant('the refresh token is invalid');
    if (ctx.now.getTime() >= presented.expiresAt.getTime()) throw invalidGrant('the refresh token has expired');
    const scopes = narrow(ctx.params.get('scope'), presented.scopes);
    // Save the successors first, consume second: a store that fails while saving (a 503 the
    // client retries) has not rotated the presented token, so the retry is not taken for a reuse
    // that revokes the family (RFC 9700 §4.14.2). Tokens saved by a request that then loses the
    // consume are never handed out, and the revocation that follows takes them too.
    const body = await ctx.tokens.issue({
      clientId: presented.clientId,
      userId: presented.userId,
      scopes,
      grantId: presented.grantId,
      // RFC 6749 §6: "the refresh token scope MUST be identical to that of the refresh token
      // included by the client in the request" — narrowing applies to the access token only.
      refreshScopes: presented.scopes,
    });
    await consume(ctx, hash, presented);
    return body;
  },
};

async function consume(ctx: GrantContext, hash: string, presented: RefreshTokenRecord): Promise<void> {
  const result = await ctx.store.refreshTokens.consume(hash, ctx.client.client.id, ctx.now);
  if (result.status === 'consumed') return;
  if (result.status === 'not_found') {
    // RFC 7009 §2.1 / RFC 9700 §4.14.2: a revocation (or a reuse) deleted the family since our
    // find, perhaps before the tokens we just saved existed: they go too. A revocation that
    // starts after our consume deletes what we saved before it, as its statements come later.
    await ctx.tokens.revokeGrant(presented.grantId);
    throw invalidGrant('the refresh token has been revoked');
  }
  const rotatedAt = result.record.rotatedAt?.getTime() ?? 0;
  if (ctx.refreshTokenGracePeriod > 0 && ctx.now.getTime() - rotatedAt < ctx.refreshTokenGracePeriod * 1000) return;
  // RFC 9700 §4.14.2: "If a refresh token is compromised and subsequently used by both the
  // attacker and the legitimate client, one of them will present an invalidated refresh token,
  // which will inform the authorization server of the breach ... [it] revokes the active refresh token."
  await ctx.tokens.revokeGrant(result.record.grantId);
  throw invalidGrant('the refresh token has already been used');
}

function narrow(requested: string | undefined, granted: string[]): string[] {
  if (requested === undefined) return granted;
  const scopes = parseScope(requested);
  // RFC 6749 §6: "The requested scope MUST NOT include any scope not originally granted by the
  // resource owner, and if omitted is treated as equal to the scope originally granted".
  const allowed = new Set(granted);
  if (!scopes.every((s) => allowed.has(s))) throw new OAuth2Error('invalid_scope', 'the requested scope exceeds the scope originally granted');
  return scopes;
}
