import type {
  AccessTokenRecord,
  AuthorizationCodeRecord,
  ClientRecord,
  ConsentRecord,
  RefreshTokenRecord,
  SigningKeyRecord,
  UserRecord,
} from '../types.js';

// Row shapes as pg returns them (timestamptz → Date, text[] → string[]) and their mapping to
// records. Every query returns fresh objects, so records never share state with the driver.

export interface ClientRow { id: string; name: string; secret_hash: string | null; grant_types: string[]; scopes: string[]; redirect_uris: string[]; created_at: Date }
export interface AccessTokenRow { hash: string; client_id: string; user_id: string | null; scopes: string[]; grant_id: string | null; expires_at: Date; created_at: Date }
export interface CodeRow {
  hash: string; client_id: string; user_id: string; redirect_uri: string | null; scopes: string[]; code_challenge: string | null;
  code_challenge_method: string | null; grant_id: string; expires_at: Date; created_at: Date; consumed_at: Date | null; replayed_at: Date | null;
}
export interface RefreshRow { hash: string; client_id: string; user_id: string | null; scopes: string[]; grant_id: string; expires_at: Date; created_at: Date; rotated_at: Date | null }
export interface UserRow { id: string; username: string; password_hash: string; created_at: Date }
export interface ConsentRow { user_id: string; client_id: string; scopes: string[]; updated_at: Date }
export interface KeyRow { kid: string; alg: string; public_jwk: string; private_jwk_encrypted: string; created_at: Date; retired_at: Date | null; publish_until: Date | null }

/**
 * The columns each statement reads, named rather than `*`: a prepared statement whose result
 * type changes (a newer release added a column during a rolling deploy) fails on every call
 * with "cached plan must not change result type".
 */
export const COLUMNS = {
  clients: 'id, name, secret_hash, grant_types, scopes, redirect_uris, created_at',
  accessTokens: 'hash, client_id, user_id, scopes, grant_id, expires_at, created_at',
  codes: 'hash, client_id, user_id, redirect_uri, scopes, code_challenge, code_challenge_method, grant_id, expires_at, created_at, consumed_at, replayed_at',
  refreshTokens: 'hash, client_id, user_id, scopes, grant_id, expires_at, created_at, rotated_at',
  users: 'id, username, password_hash, created_at',
  consents: 'user_id, client_id, scopes, updated_at',
  keys: 'kid, alg, public_jwk, private_jwk_encrypted, created_at, retired_at, publish_until',
} as const;

/** Instants go out as ISO strings: exact to the millisecond and independent of the process time zone. */
export const iso = (d: Date): string => d.toISOString();
export const maybeIso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export const toClient = (r: ClientRow): ClientRecord => ({
  id: r.id, name: r.name, secretHash: r.secret_hash, grantTypes: r.grant_types, scopes: r.scopes, redirectUris: r.redirect_uris, createdAt: r.created_at,
});

export const toAccessToken = (r: AccessTokenRow): AccessTokenRecord => ({
  hash: r.hash, clientId: r.client_id, userId: r.user_id, scopes: r.scopes, expiresAt: r.expires_at, createdAt: r.created_at, grantId: r.grant_id,
});

export const toCode = (r: CodeRow): AuthorizationCodeRecord => ({
  hash: r.hash, clientId: r.client_id, userId: r.user_id, redirectUri: r.redirect_uri, scopes: r.scopes,
  codeChallenge: r.code_challenge, codeChallengeMethod: r.code_challenge_method as AuthorizationCodeRecord['codeChallengeMethod'],
  grantId: r.grant_id, expiresAt: r.expires_at, createdAt: r.created_at, consumedAt: r.consumed_at, replayedAt: r.replayed_at,
});

export const toRefresh = (r: RefreshRow): RefreshTokenRecord => ({
  hash: r.hash, clientId: r.client_id, userId: r.user_id, scopes: r.scopes, grantId: r.grant_id,
  expiresAt: r.expires_at, createdAt: r.created_at, rotatedAt: r.rotated_at,
});

export const toUser = (r: UserRow): UserRecord => ({ id: r.id, username: r.username, passwordHash: r.password_hash, createdAt: r.created_at });

export const toConsent = (r: ConsentRow): ConsentRecord => ({ userId: r.user_id, clientId: r.client_id, scopes: r.scopes, updatedAt: r.updated_at });

export const toKey = (r: KeyRow): SigningKeyRecord => ({
  kid: r.kid, alg: r.alg as SigningKeyRecord['alg'], publicJwk: r.public_jwk, privateJwkEncrypted: r.private_jwk_encrypted,
  createdAt: r.created_at, retiredAt: r.retired_at, publishUntil: r.publish_until,
});
