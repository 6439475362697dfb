import type { KeyedHasher } from './internal/keyed-hasher.js';
import { looksLike, newCredential, newId } from './internal/random.js';
import { formatScope } from './scope.js';
import type { OAuth2Store } from './store.js';
import type { AccessTokenFormat } from './token-formats/types.js';
import type { AccessTokenRecord, RefreshTokenRecord, TokenInfo, TokenResponseBody } from './types.js';

class StoredTokenInfo implements TokenInfo {
  readonly clientId: string;
  readonly userId: string | null;
  readonly scopes: string[];
  readonly expiresAt: Date;
  #scopes: Set<string>;

  constructor(r: AccessTokenRecord) {
    this.clientId = r.clientId;
    this.userId = r.userId;
    this.scopes = [...r.scopes];
    this.expiresAt = r.expiresAt;
    this.#scopes = new Set(r.scopes);
  }

  hasScope(scope: string): boolean {
    return this.#scopes.has(scope);
  }
}

export interface IssueInput {
  clientId: string;
  userId: string | null;
  scopes: string[];
  /** The grant family; null for client_credentials. */
  grantId: string | null;
  /** Issue a refresh token with this (grant) scope alongside; omitted → none. */
  refreshScopes?: string[];
}

export interface TokenServiceOptions {
  store: OAuth2Store;
  hasher: KeyedHasher;
  clock: () => number;
  format: AccessTokenFormat;
  accessTokenTtl: number;
  refreshTokenTtl: number;
}

/** Issues, finds and revokes access and refresh tokens; only keyed hashes reach the store. */
export class TokenService {
  #o: TokenServiceOptions;

  constructor(o: TokenServiceOptions) {
    this.#o = o;
  }

  get format(): string {
    return this.#o.format.name;
  }

  async issue(input: IssueInput): Promise<TokenResponseBody> {
    const { store, hasher, clock, format, accessTokenTtl, refreshTokenTtl } = this.#o;
    const now = clock();
    const expiresAt = new Date(now + accessTokenTtl * 1000);
    const { token, key } = await format.mint({
      clientId: input.clientId, userId: input.userId, scopes: input.scopes, issuedAt: new Date(now), expiresAt, jti: newId('', 16),
    });
    await store.accessTokens.save({
      hash: hasher.hashToken(key), clientId: input.clientId, userId: input.userId, scopes: [...input.scopes],
      expiresAt, createdAt: new Date(now), grantId: input.grantId,
    });
    const body: TokenResponseBody = { access_token: token, token_type: 'Bearer', expires_in: accessTokenTtl, scope: formatScope(input.scopes) };
    if (input.refreshScopes && input.grantId !== null) {
      const refreshToken = newCredential('refreshToken');
      await store.refreshTokens.save({
        hash: hasher.hashToken(refreshToken), clientId: input.clientId, userId: input.userId, scopes: [...input.refreshScopes],
        grantId: input.grantId, expiresAt: new Date(now + refreshTokenTtl * 1000), createdAt: new Date(now), rotatedAt: null,
      });
      body.refresh_token = refreshToken;
    }
    return body;
  }

  /** The stored record of a presented access token (even expired), or null. */
  async findAccess(token: string): Promise<AccessTokenRecord | null> {
    const key = await this.#o.format.keyOf(token);
    return key === null ? null : this.#o.store.accessTokens.find(this.#o.hasher.hashToken(key));
  }

  /** The keyed hash a refresh token is stored under, or null when it cannot be one. */
  refreshHash(token: string): string | null {
    return looksLike('refreshToken', token) ? this.#o.hasher.hashToken(token) : null;
  }

  async findRefresh(token: string): Promise<RefreshTokenRecord | null> {
    const hash = this.refreshHash(token);
    return hash === null ? null : this.#o.store.refreshTokens.find(hash);
  }

  isActive(r: { expiresAt: Date }): boolean {
    // A token is valid for [createdAt, expiresAt).
    return this.#o.clock() < r.expiresAt.getTime();
  }

  /** Null when unknown, revoked, expired or malformed. Store failures reject. */
  async validate(token: string): Promise<TokenInfo | null> {
    if (typeof token !== 'string') return null;
    const record = await this.findAccess(token);
    return record && this.isActive(record) ? new StoredTokenInfo(record) : null;
  }

  async revokeAccess(record: AccessTokenRecord): Promise<void> {
    await this.#o.store.accessTokens.delete(record.hash);
  }

  /**
   * RFC 7009 §2.1 / RFC 9700 §4.14.2: every access and refresh token of one grant. Access tokens
   * go first: a store failure after the refresh tokens went would leave them alive, and the
   * client's retry, finding its refresh token gone, would get a 200 for an unknown token. The
   * refresh delete is the mark a concurrent refresh looks for after saving its tokens (its
   * presented token is gone); the access sweep after it starts later than that refresh's look,
   * so on a database whose statements read a snapshot (PostgreSQL READ COMMITTED) it still sees
   * what that refresh saved, as the refresh delete does.
   */
  async revokeGrant(grantId: string): Promise<void> {
    const { store } = this.#o;
    await store.accessTokens.deleteByGrant(grantId);
    await store.refreshTokens.deleteByGrant(grantId);
    await store.accessTokens.deleteByGrant(grantId);
  }

  hashCode(code: string): string | null {
    return looksLike('code', code) ? this.#o.hasher.hashToken(code) : null;
  }
}
