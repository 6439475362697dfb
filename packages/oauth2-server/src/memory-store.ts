import { OAuth2StoreError } from './store-error.js';
import type {
  AccessTokenStore,
  AuthorizationCodeStore,
  ClientStore,
  ConsentStore,
  OAuth2Store,
  RefreshTokenStore,
  SigningKeyStore,
  UserStore,
} from './store.js';
import type {
  AccessTokenRecord,
  AuthorizationCodeRecord,
  ClientRecord,
  ConsentRecord,
  RefreshTokenRecord,
  SigningKeyRecord,
  UserRecord,
} from './types.js';

/** Records go in and out as copies, so callers never share the store's state. */
const copy = <T>(v: T): T => structuredClone(v);

const byCreated = <T extends { createdAt: Date }>(key: (r: T) => string) => (a: T, b: T): number =>
  a.createdAt.getTime() - b.createdAt.getTime() || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

function deleteWhere<T>(map: Map<string, T>, pred: (v: T) => boolean): number {
  let n = 0;
  for (const [k, v] of map) {
    if (pred(v)) {
      map.delete(k);
      n++;
    }
  }
  return n;
}

/**
 * An in-process store for tests and single-process demos. Every method body runs without an
 * `await` before its state change, so each one is atomic on Node's single thread — the memory
 * equivalent of the one conditional statement the SQL stores use.
 */
export class MemoryStore implements OAuth2Store {
  readonly clients: ClientStore;
  readonly accessTokens: AccessTokenStore;
  readonly authorizationCodes: AuthorizationCodeStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly users: UserStore;
  readonly consents: ConsentStore;
  readonly signingKeys: SigningKeyStore;
  #closed = false;

  constructor() {
    const clients = new Map<string, ClientRecord>();
    const access = new Map<string, AccessTokenRecord>();
    const codes = new Map<string, AuthorizationCodeRecord>();
    const refresh = new Map<string, RefreshTokenRecord>();
    const users = new Map<string, UserRecord>();
    const consents = new Map<string, ConsentRecord>();
    const keys = new Map<string, SigningKeyRecord>();
    const open = (): void => this.#assertOpen();
    const needClient = (id: string): void => {
      if (!clients.has(id)) throw new OAuth2StoreError('unknown_client', 'the record refers to an unknown client');
    };
    const insert = <T>(map: Map<string, T>, key: string, value: T, what: string): void => {
      if (map.has(key)) throw new OAuth2StoreError('conflict', `${what} with this key already exists`);
      map.set(key, copy(value));
    };
    const find = <T>(map: Map<string, T>, key: string): T | null => {
      const v = map.get(key);
      return v === undefined ? null : copy(v);
    };
    const consentKey = (userId: string, clientId: string): string => JSON.stringify([userId, clientId]);

    this.clients = {
      async create(c) {
        open();
        insert(clients, c.id, c, 'a client');
      },
      async get(id) {
        open();
        return find(clients, id);
      },
      async list() {
        open();
        return [...clients.values()].sort(byCreated((c) => c.id)).map(copy);
      },
      async delete(id) {
        open();
        if (!clients.delete(id)) return false;
        for (const map of [access, codes, refresh, consents] as Map<string, { clientId: string }>[]) {
          deleteWhere(map, (r) => r.clientId === id);
        }
        return true;
      },
    };

    this.accessTokens = {
      async save(t) {
        open();
        needClient(t.clientId);
        insert(access, t.hash, t, 'an access token');
      },
      async find(hash) {
        open();
        return find(access, hash);
      },
      async delete(hash) {
        open();
        return access.delete(hash);
      },
      async deleteByClient(clientId) {
        open();
        return deleteWhere(access, (t) => t.clientId === clientId);
      },
      async deleteByGrant(grantId) {
        open();
        return deleteWhere(access, (t) => t.grantId === grantId);
      },
      async deleteExpired(now) {
        open();
        return deleteWhere(access, (t) => t.expiresAt.getTime() <= now.getTime());
      },
    };

    this.authorizationCodes = {
      async save(c) {
        open();
        needClient(c.clientId);
        insert(codes, c.hash, c, 'an authorization code');
      },
      async consume(hash, now) {
        open();
        const c = codes.get(hash);
        if (!c) return { status: 'not_found' };
        if (c.consumedAt !== null) return { status: 'already_consumed', record: copy(c) };
        c.consumedAt = new Date(now.getTime());
        return { status: 'consumed', record: copy(c) };
      },
      async find(hash) {
        open();
        return find(codes, hash);
      },
      async markReplayed(hash, now) {
        open();
        const c = codes.get(hash);
        if (c && c.replayedAt === null) c.replayedAt = new Date(now.getTime());
      },
      async deleteExpired(now) {
        open();
        return deleteWhere(codes, (c) => c.expiresAt.getTime() <= now.getTime());
      },
    };

    this.refreshTokens = {
      async save(t) {
        open();
        needClient(t.clientId);
        insert(refresh, t.hash, t, 'a refresh token');
      },
      async find(hash) {
        open();
        return find(refresh, hash);
      },
      async consume(hash, clientId, now) {
        open();
        const t = refresh.get(hash);
        if (!t || t.clientId !== clientId) return { status: 'not_found' };
        if (t.rotatedAt !== null) return { status: 'already_consumed', record: copy(t) };
        t.rotatedAt = new Date(now.getTime());
        return { status: 'consumed', record: copy(t) };
      },
      async delete(hash) {
        open();
        return refresh.delete(hash);
      },
      async deleteByGrant(grantId) {
        open();
        return deleteWhere(refresh, (t) => t.grantId === grantId);
      },
      async deleteExpired(now) {
        open();
        return deleteWhere(refresh, (t) => t.expiresAt.getTime() <= now.getTime());
      },
    };

    this.users = {
      async create(u) {
        open();
        for (const other of users.values()) {
          if (other.username === u.username) throw new OAuth2StoreError('conflict', 'a user with this username already exists');
        }
        insert(users, u.id, u, 'a user');
      },
      async get(id) {
        open();
        return find(users, id);
      },
      async findByUsername(username) {
        open();
        for (const u of users.values()) if (u.username === username) return copy(u);
        return null;
      },
      async list() {
        open();
        return [...users.values()].sort(byCreated((u) => u.id)).map(copy);
      },
      async delete(id) {
        open();
        if (!users.delete(id)) return false;
        deleteWhere(consents, (c) => c.userId === id);
        deleteWhere(codes, (c) => c.userId === id);
        deleteWhere(access, (t) => t.userId === id);
        deleteWhere(refresh, (t) => t.userId === id);
        return true;
      },
      async setPasswordHash(id, passwordHash) {
        open();
        const u = users.get(id);
        if (!u) return false;
        u.passwordHash = passwordHash;
        return true;
      },
    };

    this.consents = {
      async get(userId, clientId) {
        open();
        return find(consents, consentKey(userId, clientId));
      },
      async save(c) {
        open();
        needClient(c.clientId);
        consents.set(consentKey(c.userId, c.clientId), copy(c));
      },
      async delete(userId, clientId) {
        open();
        return consents.delete(consentKey(userId, clientId));
      },
    };

    this.signingKeys = {
      async create(k) {
        open();
        insert(keys, k.kid, k, 'a signing key');
      },
      async list() {
        open();
        return [...keys.values()].sort(byCreated((k) => k.kid)).map(copy);
      },
      async retire(kid, retiredAt, publishUntil) {
        open();
        const k = keys.get(kid);
        if (!k || k.retiredAt !== null) return false;
        k.retiredAt = new Date(retiredAt.getTime());
        k.publishUntil = new Date(publishUntil.getTime());
        return true;
      },
      async deleteExpired(now) {
        open();
        return deleteWhere(keys, (k) => k.publishUntil !== null && k.publishUntil.getTime() <= now.getTime());
      },
    };
  }

  async ping(): Promise<void> {
    this.#assertOpen();
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new OAuth2StoreError('closed', 'the store is closed');
  }
}
