import type {
  AccessTokenRecord,
  AuthorizationCodeRecord,
  ClientRecord,
  ConsentRecord,
  RefreshTokenRecord,
  SigningKeyRecord,
  UserRecord,
} from '../types.js';

// Row shapes and their mapping to records. Arrays are JSON text; instants are integer ms.

export interface ClientRow { id: string; name: string; secret_hash: string | null; grant_types: string; scopes: string; redirect_uris: string; created_at: number }
export interface AccessTokenRow { hash: string; client_id: string; user_id: string | null; scopes: string; expires_at: number; created_at: number; grant_id: string | null }
export interface CodeRow {
  hash: string; client_id: string; user_id: string; redirect_uri: string | null; scopes: string; code_challenge: string | null;
  code_challenge_method: string | null; grant_id: string; expires_at: number; created_at: number; consumed_at: number | null; replayed_at: number | null;
}
export interface RefreshRow { hash: string; client_id: string; user_id: string | null; scopes: string; grant_id: string; expires_at: number; created_at: number; rotated_at: number | null }
export interface UserRow { id: string; username: string; password_hash: string; created_at: number }
export interface ConsentRow { user_id: string; client_id: string; scopes: string; updated_at: number }
export interface KeyRow { kid: string; alg: string; public_jwk: string; private_jwk_encrypted: string; created_at: number; retired_at: number | null; publish_until: number | null }

const list = (s: string): string[] => JSON.parse(s) as string[];
const date = (n: number): Date => new Date(n);
const maybeDate = (n: number | null): Date | null => (n === null ? null : new Date(n));
export const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());

export const toClient = (r: ClientRow): ClientRecord => ({
  id: r.id, name: r.name, secretHash: r.secret_hash, grantTypes: list(r.grant_types), scopes: list(r.scopes),
  redirectUris: list(r.redirect_uris), createdAt: date(r.created_at),
});

export const toAccessToken = (r: AccessTokenRow): AccessTokenRecord => ({
  hash: r.hash, clientId: r.client_id, userId: r.user_id, scopes: list(r.scopes), expiresAt: date(r.expires_at),
  createdAt: date(r.created_at), grantId: r.grant_id,
});

export const toCode = (r: CodeRow): AuthorizationCodeRecord => ({
  hash: r.hash, clientId: r.client_id, userId: r.user_id, redirectUri: r.redirect_uri, scopes: list(r.scopes),
  codeChallenge: r.code_challenge, codeChallengeMethod: r.code_challenge_method as AuthorizationCodeRecord['codeChallengeMethod'],
  grantId: r.grant_id, expiresAt: date(r.expires_at), createdAt: date(r.created_at), consumedAt: maybeDate(r.consumed_at), replayedAt: maybeDate(r.replayed_at),
});

export const toRefresh = (r: RefreshRow): RefreshTokenRecord => ({
  hash: r.hash, clientId: r.client_id, userId: r.user_id, scopes: list(r.scopes), grantId: r.grant_id,
  expiresAt: date(r.expires_at), createdAt: date(r.created_at), rotatedAt: maybeDate(r.rotated_at),
});

export const toUser = (r: UserRow): UserRecord => ({ id: r.id, username: r.username, passwordHash: r.password_hash, createdAt: date(r.created_at) });

export const toConsent = (r: ConsentRow): ConsentRecord => ({ userId: r.user_id, clientId: r.client_id, scopes: list(r.scopes), updatedAt: date(r.updated_at) });

export const toKey = (r: KeyRow): SigningKeyRecord => ({
  kid: r.kid, alg: r.alg as SigningKeyRecord['alg'], publicJwk: r.public_jwk, privateJwkEncrypted: r.private_jwk_encrypted,
  createdAt: date(r.created_at), retiredAt: maybeDate(r.retired_at), publishUntil: maybeDate(r.publish_until),
});
