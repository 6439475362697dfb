import { OAuth2StoreError } from './store-error.js';
import type { AccessTokenStore, ClientStore, OAuth2Store } from './store.js';
import type { AccessTokenRecord, ClientRecord } from './types.js';

function copyClient(c: ClientRecord): ClientRecord {
  return {
    ...c,
    grantTypes: [...c.grantTypes],
    scopes: [...c.scopes],
    redirectUris: [...c.redirectUris],
    createdAt: new Date(c.createdAt.getTime()),
  };
}

function copyToken(t: AccessTokenRecord): AccessTokenRecord {
  return {
    ...t,
    scopes: [...t.scopes],
    expiresAt: new Date(t.expiresAt.getTime()),
    createdAt: new Date(t.createdAt.getTime()),
  };
}

/** An in-process store for tests and single-process demos. Records are copied in and out. */
export class MemoryStore implements OAuth2Store {
  readonly clients: ClientStore;
  readonly accessTokens: AccessTokenStore;
  #clients = new Map<string, ClientRecord>();
  #tokens = new Map<string, AccessTokenRecord>();
  #closed = false;

  constructor() {
    const clients = this.#clients;
    const tokens = this.#tokens;
    const open = (): void => this.#assertOpen();

    const deleteTokensOf = (clientId: string): number => {
      let n = 0;
      for (const [hash, t] of tokens) {
        if (t.clientId === clientId) {
          tokens.delete(hash);
          n++;
        }
      }
      return n;
    };

    this.clients = {
      async create(c) {
        open();
        if (clients.has(c.id)) throw new OAuth2StoreError('conflict', 'a client with this id already exists');
        clients.set(c.id, copyClient(c));
      },
      async get(id) {
        open();
        const c = clients.get(id);
        return c ? copyClient(c) : null;
      },
      async list() {
        open();
        return [...clients.values()]
          .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .map(copyClient);
      },
      async delete(id) {
        open();
        if (!clients.delete(id)) return false;
        deleteTokensOf(id);
        return true;
      },
    };

    this.accessTokens = {
      async save(t) {
        open();
        if (!clients.has(t.clientId)) throw new OAuth2StoreError('unknown_client', 'the token refers to an unknown client');
        if (tokens.has(t.hash)) throw new OAuth2StoreError('conflict', 'an access token with this hash already exists');
        tokens.set(t.hash, copyToken(t));
      },
      async find(hash) {
        open();
        const t = tokens.get(hash);
        return t ? copyToken(t) : null;
      },
      async deleteByClient(clientId) {
        open();
        return deleteTokensOf(clientId);
      },
      async deleteExpired(now) {
        open();
        let n = 0;
        for (const [hash, t] of tokens) {
          if (t.expiresAt.getTime() <= now.getTime()) {
            tokens.delete(hash);
            n++;
          }
        }
        return n;
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
