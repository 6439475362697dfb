import type { AccessTokenStore, ClientStore, OAuth2Store, UserStore } from './store.js';
import type { AccessTokenRecord } from './types.js';

/** What a deletion took away: one token, a grant family, or everything of a client or user. */
export interface AccessTokenInvalidation {
  hash?: string;
  grantId?: string;
  clientId?: string;
  userId?: string;
}

/**
 * A short-lived cache in front of `accessTokens.find`, shared by every instance of the server.
 * Holds only what the store holds (keyed hashes, never tokens).
 */
export interface AccessTokenCache {
  /** undefined = miss; a record = cached hit (the caller still checks expiry with its clock). Never a shared object. */
  get(hash: string): Promise<AccessTokenRecord | undefined>;
  /**
   * Remember a record the store returned. The cache may decline (for instance when an
   * invalidation happened anywhere since this process's miss, as its read may predate it).
   */
  set(record: AccessTokenRecord): Promise<void>;
  /** Called after the store deleted: must hold for every instance sharing the cache before it resolves. */
  invalidate(what: AccessTokenInvalidation): Promise<void>;
}

export type AccessTokenCacheOp = 'get' | 'set' | 'invalidate';

export interface AccessTokenCacheOptions {
  /**
   * A cache failure. `get`/`set`: reported once when the cache starts failing; validation
   * reads the store until the cache works again. `invalidate`: every failed invalidation; it
   * stays pending and is retried every `retryMs` until the cache accepts it.
   */
  onError?(err: unknown, op: AccessTokenCacheOp): void;
  /** The cache works again and no invalidation is pending. */
  onRestored?(): void;
  /** How long to read the store alone after a failure, and the retry interval of pending invalidations; 1000 ms by default. */
  retryMs?: number;
  clock?: () => number;
}

/**
 * The store with `accessTokens.find` read through `cache`, and every deletion of access tokens
 * (`accessTokens.delete`/`deleteByGrant`/`deleteByClient`, `clients.delete`, `users.delete`)
 * invalidated after the store write and before it resolves. A store miss is never cached.
 *
 * When the cache fails, validation reads the store (degraded, reported through `onError`) and
 * probes the cache again after `retryMs`. A failed invalidation does not fail the revocation
 * (the store has deleted): it stays pending and is retried every `retryMs`, and this process
 * bypasses the cache while any is pending. The bound: another instance may accept the revoked
 * token from an entry cached before the revocation for at most the cache's TTL (the entry
 * expires), plus, if it can still reach the cache while this process cannot, a fill of a read
 * that was in flight at the revocation — until the retried invalidation lands.
 */
export function withAccessTokenCache(store: OAuth2Store, cache: AccessTokenCache, o: AccessTokenCacheOptions = {}): OAuth2Store {
  const guard = new CacheGuard(cache, o);
  const accessTokens: AccessTokenStore = {
    save: (t) => store.accessTokens.save(t),
    find: (hash) => guard.find(hash, () => store.accessTokens.find(hash)),
    delete: (hash) => guard.deleted(store.accessTokens.delete(hash), { hash }),
    deleteByClient: (clientId) => guard.deleted(store.accessTokens.deleteByClient(clientId), { clientId }),
    deleteByGrant: (grantId) => guard.deleted(store.accessTokens.deleteByGrant(grantId), { grantId }),
    deleteExpired: (now) => store.accessTokens.deleteExpired(now),
  };
  const clients: ClientStore = {
    create: (c) => store.clients.create(c),
    get: (id) => store.clients.get(id),
    list: () => store.clients.list(),
    delete: (id) => guard.deleted(store.clients.delete(id), { clientId: id }),
  };
  const users: UserStore = {
    create: (u) => store.users.create(u),
    get: (id) => store.users.get(id),
    findByUsername: (username) => store.users.findByUsername(username),
    list: () => store.users.list(),
    delete: (id) => guard.deleted(store.users.delete(id), { userId: id }),
    setPasswordHash: (id, passwordHash) => store.users.setPasswordHash(id, passwordHash),
  };
  return {
    clients,
    accessTokens,
    get authorizationCodes() { return store.authorizationCodes; },
    get refreshTokens() { return store.refreshTokens; },
    users,
    get consents() { return store.consents; },
    get signingKeys() { return store.signingKeys; },
    ping: () => store.ping(),
    close: async () => {
      guard.stop();
      await store.close();
    },
  };
}

/** The failure handling of `withAccessTokenCache`: degraded reads and pending invalidations. */
class CacheGuard {
  #cache: AccessTokenCache;
  #onError: (err: unknown, op: AccessTokenCacheOp) => void;
  #onRestored: () => void;
  #retryMs: number;
  #clock: () => number;
  #degraded = false;
  #bypassUntil = 0;
  /** Failed invalidations by kind and id, retried until the cache accepts them. */
  #pending = new Map<string, AccessTokenInvalidation>();
  #timer: NodeJS.Timeout | undefined;

  constructor(cache: AccessTokenCache, o: AccessTokenCacheOptions) {
    const retryMs = o.retryMs ?? 1000;
    if (!Number.isInteger(retryMs) || retryMs < 1) throw new TypeError('withAccessTokenCache: retryMs must be a positive integer');
    this.#cache = cache;
    this.#onError = o.onError ?? (() => {});
    this.#onRestored = o.onRestored ?? (() => {});
    this.#retryMs = retryMs;
    this.#clock = o.clock ?? Date.now;
  }

  async find(hash: string, read: () => Promise<AccessTokenRecord | null>): Promise<AccessTokenRecord | null> {
    // With an invalidation pending, entries in the cache may be stale: this process reads the store.
    if (this.#pending.size > 0 || (this.#degraded && this.#clock() < this.#bypassUntil)) return read();
    let hit: AccessTokenRecord | undefined;
    try {
      hit = await this.#cache.get(hash);
    } catch (err) {
      this.#failed(err, 'get');
      return read();
    }
    if (hit) {
      this.#succeeded();
      return hit;
    }
    const record = await read();
    if (record === null) return null;
    try {
      await this.#cache.set(record);
      this.#succeeded();
    } catch (err) {
      this.#failed(err, 'set');
    }
    return record;
  }

  /**
   * Waits for the store's deletion, then invalidates — whatever the count (a cached copy may
   * outlive the row), and also when the write rejected (it may have committed all the same).
   */
  async deleted<T>(write: Promise<T>, what: AccessTokenInvalidation): Promise<T> {
    try {
      return await write;
    } finally {
      await this.#invalidate(what);
    }
  }

  async #invalidate(what: AccessTokenInvalidation): Promise<void> {
    try {
      await this.#cache.invalidate(what);
    } catch (err) {
      this.#pending.set(keyOf(what), what);
      this.#report(() => this.#onError(err, 'invalidate'));
      this.#schedule();
    }
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #failed(err: unknown, op: AccessTokenCacheOp): void {
    this.#bypassUntil = this.#clock() + this.#retryMs;
    if (this.#degraded) return;
    this.#degraded = true;
    this.#report(() => this.#onError(err, op));
  }

  #succeeded(): void {
    if (!this.#degraded || this.#pending.size > 0) return;
    this.#degraded = false;
    this.#report(this.#onRestored);
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => void this.#retry(), this.#retryMs);
    this.#timer.unref();
  }

  async #retry(): Promise<void> {
    for (const [key, what] of [...this.#pending]) {
      try {
        await this.#cache.invalidate(what);
        this.#pending.delete(key);
      } catch {
        break; // still failing: try them all again later (reported when it first failed)
      }
    }
    this.#timer = undefined;
    if (this.#pending.size > 0) {
      this.#schedule();
      return;
    }
    // The invalidations were the only trouble: say that the cache is back.
    this.#degraded = true;
    this.#succeeded();
  }

  /** A throwing logger must not fail a validation or a revocation. */
  #report(fn: () => void): void {
    try {
      fn();
    } catch {
      // ignored on purpose
    }
  }
}

function keyOf(w: AccessTokenInvalidation): string {
  return JSON.stringify([w.hash ?? null, w.grantId ?? null, w.clientId ?? null, w.userId ?? null]);
}
