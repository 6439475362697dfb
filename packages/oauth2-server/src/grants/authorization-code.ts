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
    const hash = ctx.tokens.hashCode(code);
    if (hash === null) throw invalidGrant('the authorization code is invalid');
    const found = await ctx.store.authorizationCodes.find(hash);
    if (!found) throw invalidGrant('the authorization code is invalid');
    // A used code goes straight to replay detection; a fresh one is checked before it is
    // consumed, so a request that fails them changes nothing (RFC 6749 §5.2).
    if (found.consumedAt === null) checkBeforeConsume(ctx, found);
    const record = await consume(ctx, hash);
    // RFC 7636 §4.6: a wrong verifier is checked after the consume on purpose: the code stays
    // burned, so it cannot be used to guess verifiers.
    checkPkce(ctx, record);
    const client = ctx.client.client;
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

function checkBeforeConsume(ctx: GrantContext, record: AuthorizationCodeRecord): void {
  // RFC 6749 §4.1.3: "ensure that the authorization code was issued to the authenticated
  // confidential client, or if the client is public, ensure that the code was issued to
  // "client_id" in the request".
  if (record.clientId !== ctx.client.client.id) throw invalidGrant('the authorization code is invalid');
  if (ctx.now.getTime() >= record.expiresAt.getTime()) throw invalidGrant('the authorization code has expired');
  checkRedirectUri(ctx, record);
}

async function consume(ctx: GrantContext, hash: string): Promise<AuthorizationCodeRecord> {
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
