import type { KeyedHasher } from './internal/keyed-hasher.js';
import { looksLikeAccessToken, newAccessToken } from './internal/random.js';
import type { AccessTokenStore } from './store.js';
import type { AccessTokenRecord, TokenInfo } from './types.js';

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

/** Opaque access tokens: issued at random, stored as a keyed hash, looked up by that hash. */
export class AccessTokens {
  #store: AccessTokenStore;
  #hasher: KeyedHasher;
  #clock: () => number;
  #ttlSeconds: number;

  constructor(o: { store: AccessTokenStore; hasher: KeyedHasher; clock: () => number; ttlSeconds: number }) {
    this.#store = o.store;
    this.#hasher = o.hasher;
    this.#clock = o.clock;
    this.#ttlSeconds = o.ttlSeconds;
  }

  async issue(o: { clientId: string; userId: string | null; scopes: string[]; grantId?: string | null }): Promise<{ accessToken: string; expiresIn: number }> {
    const accessToken = newAccessToken();
    const now = this.#clock();
    await this.#store.save({
      hash: this.#hasher.hashToken(accessToken),
      clientId: o.clientId,
      userId: o.userId,
      scopes: [...o.scopes],
      expiresAt: new Date(now + this.#ttlSeconds * 1000),
      createdAt: new Date(now),
      grantId: o.grantId ?? null,
    });
    return { accessToken, expiresIn: this.#ttlSeconds };
  }

  /** One HMAC and one lookup by primary key. Unknown, expired or malformed → null. */
  async validate(token: string): Promise<TokenInfo | null> {
    if (!looksLikeAccessToken(token)) return null;
    const record = await this.#store.find(this.#hasher.hashToken(token));
    if (!record) return null;
    // Expired at exactly expiresAt: a token is valid for [createdAt, expiresAt).
    if (this.#clock() >= record.expiresAt.getTime()) return null;
    return new StoredTokenInfo(record);
  }
}
