import { OAuth2Error } from '../errors.js';
import { verifierMatches } from '../pkce.js';
import type { AuthorizationCodeRecord, TokenResponseBody } from '../types.js';
import type { GrantContext, GrantHandler } from './types.js';

const invalidGrant = (description: string): OAuth2Error => new OAuth2Error('invalid_grant', description);

/** RFC 6749 §4.1.3 with RFC 7636 §4.5–4.6: redeem a code at the token endpoint. */
export const authorizationCodeGrant: GrantHandler = {
  grantType: 'authorization_code',

  async handle(ctx: GrantContext): Promise<TokenResponseBody> {
    const code = ctx.params.get('code');
    if (code === undefined) throw new OAuth2Error('invalid_request', 'the code parameter is missing');
    const record = await consume(ctx, code);
    const client = ctx.client.client;
    // RFC 6749 §4.1.3: "ensure that the authorization code was issued to the authenticated
    // confidential client, or if the client is public, ensure that the code was issued to
    // "client_id" in the request". The code is already burned: a mismatch means it leaked.
    if (record.clientId !== client.id) throw invalidGrant('the authorization code is invalid');
    if (ctx.now.getTime() >= record.expiresAt.getTime()) throw invalidGrant('the authorization code has expired');
    checkRedirectUri(ctx, record);
    checkPkce(ctx, record);
    const body = await ctx.tokens.issue({
      clientId: client.id,
      userId: record.userId,
      scopes: record.scopes,
      grantId: record.grantId,
      ...(ctx.issuesRefreshTokens ? { refreshScopes: record.scopes } : {}),
    });
    // A replay that ran between our consume and our save revoked the family before our tokens
    // existed. It marks the code first and revokes second; we save first and look second, so
    // one of the two always sees the other's tokens.
    if ((await ctx.store.authorizationCodes.find(record.hash))?.replayedAt) await ctx.tokens.revokeGrant(record.grantId);
    return body;
  },
};

async function consume(ctx: GrantContext, code: string): Promise<AuthorizationCodeRecord> {
  const hash = ctx.tokens.hashCode(code);
  if (hash === null) throw invalidGrant('the authorization code is invalid');
  const result = await ctx.store.authorizationCodes.consume(hash, ctx.now);
  if (result.status === 'not_found') throw invalidGrant('the authorization code is invalid');
  if (result.status === 'already_consumed') {
    // RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization
    // server MUST deny the request and SHOULD revoke (when possible) all tokens previously
    // issued based on that authorization code."
    await ctx.store.authorizationCodes.markReplayed(hash, ctx.now);
    await ctx.tokens.revokeGrant(result.record.grantId);
    throw invalidGrant('the authorization code has already been used');
  }
  return result.record;
}

function checkRedirectUri(ctx: GrantContext, record: AuthorizationCodeRecord): void {
  const sent = ctx.params.get('redirect_uri');
  // RFC 6749 §4.1.3: redirect_uri is REQUIRED "if the "redirect_uri" parameter was included in
  // the authorization request ..., and their values MUST be identical."
  if (record.redirectUri !== null ? sent !== record.redirectUri : sent !== undefined && !ctx.client.client.redirectUris.includes(sent)) {
    throw invalidGrant('redirect_uri does not match the one of the authorization request');
  }
}

function checkPkce(ctx: GrantContext, record: AuthorizationCodeRecord): void {
  const verifier = ctx.params.get('code_verifier');
  if (record.codeChallenge === null || record.codeChallengeMethod === null) {
    // RFC 9700 §4.8.2: a verifier for a code issued without a challenge is a downgrade attempt.
    if (verifier !== undefined) throw invalidGrant('code_verifier was sent but the authorization request had no code_challenge');
    return;
  }
  // RFC 7636 §4.6: "If the values are not equal, an error response indicating "invalid_grant"
  // as described in Section 4.1.2 of [RFC6749] MUST be returned." The code stays burned.
  if (verifier === undefined) throw invalidGrant('code_verifier is required for this authorization code');
  if (!verifierMatches(verifier, record.codeChallenge, record.codeChallengeMethod)) {
    throw invalidGrant('code_verifier does not match the code_challenge');
  }
}
