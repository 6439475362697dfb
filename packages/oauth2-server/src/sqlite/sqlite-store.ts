import Database from 'better-sqlite3';
import { OAuth2StoreError } from '../store-error.js';
import type { AccessTokenStore, ClientStore, OAuth2Store } from '../store.js';
import type { AccessTokenRecord, ClientRecord } from '../types.js';
import { migrate } from './migrations.js';

export interface SqliteStoreOptions {
  /** Database file; `:memory:` works for tests but loses everything on close. */
  path: string;
  /** Milliseconds a writer waits for a lock before failing with SQLITE_BUSY. Default 5000. */
  busyTimeoutMs?: number;
}

interface ClientRow {
  id: string;
  name: string;
  secret_hash: string | null;
  grant_types: string;
  scopes: string;
  redirect_uris: string;
  created_at: number;
}

interface TokenRow {
  hash: string;
  client_id: string;
  user_id: string | null;
  scopes: string;
  expires_at: number;
  created_at: number;
}

const toClient = (r: ClientRow): ClientRecord => ({
  id: r.id,
  name: r.name,
  secretHash: r.secret_hash,
  grantTypes: JSON.parse(r.grant_types) as string[],
  scopes: JSON.parse(r.scopes) as string[],
  redirectUris: JSON.parse(r.redirect_uris) as string[],
  createdAt: new Date(r.created_at),
});

const toToken = (r: TokenRow): AccessTokenRecord => ({
  hash: r.hash,
  clientId: r.client_id,
  userId: r.user_id,
  scopes: JSON.parse(r.scopes) as string[],
  expiresAt: new Date(r.expires_at),
  createdAt: new Date(r.created_at),
});

function mapWriteError(err: unknown, conflict: string): never {
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    throw new OAuth2StoreError('conflict', conflict, { cause: err });
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    throw new OAuth2StoreError('unknown_client', 'the token refers to an unknown client', { cause: err });
  }
  throw err;
}

/**
 * A single-file store on better-sqlite3: WAL journal, a busy timeout, enforced foreign keys
 * (deleting a client cascades to its tokens) and a schema migrated on open.
 * Calls are synchronous underneath; the Promise API matches stores that are not.
 */
export class SqliteStore implements OAuth2Store {
  readonly clients: ClientStore;
  readonly accessTokens: AccessTokenStore;
  #db: Database.Database;
  #ping: Database.Statement;
  #closed = false;

  constructor(options: SqliteStoreOptions) {
    if (typeof options?.path !== 'string' || options.path === '') {
      throw new TypeError('SqliteStore: options.path must be a non-empty string');
    }
    const db = new Database(options.path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
      db.pragma('foreign_keys = ON');
      db.pragma('synchronous = NORMAL');
      migrate(db, options.path);
    } catch (err) {
      db.close();
      throw err;
    }
    this.#db = db;
    this.#ping = db.prepare('SELECT 1');
    const open = (): void => this.#assertOpen();

    const insertClient = db.prepare<[string, string, string | null, string, string, string, number]>(
      'INSERT INTO clients (id, name, secret_hash, grant_types, scopes, redirect_uris, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const getClient = db.prepare<[string], ClientRow>('SELECT * FROM clients WHERE id = ?');
    const listClients = db.prepare<[], ClientRow>('SELECT * FROM clients ORDER BY created_at, id');
    const deleteClient = db.prepare<[string]>('DELETE FROM clients WHERE id = ?');
    const insertToken = db.prepare<[string, string, string | null, string, number, number]>(
      'INSERT INTO access_tokens (hash, client_id, user_id, scopes, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const findToken = db.prepare<[string], TokenRow>('SELECT * FROM access_tokens WHERE hash = ?');
    const deleteTokensOf = db.prepare<[string]>('DELETE FROM access_tokens WHERE client_id = ?');
    const deleteExpired = db.prepare<[number]>('DELETE FROM access_tokens WHERE expires_at <= ?');

    this.clients = {
      async create(c) {
        open();
        try {
          insertClient.run(c.id, c.name, c.secretHash, JSON.stringify(c.grantTypes), JSON.stringify(c.scopes),
            JSON.stringify(c.redirectUris), c.createdAt.getTime());
        } catch (err) {
          mapWriteError(err, 'a client with this id already exists');
        }
      },
      async get(id) {
        open();
        const row = getClient.get(id);
        return row ? toClient(row) : null;
      },
      async list() {
        open();
        return listClients.all().map(toClient);
      },
      async delete(id) {
        open();
        // ON DELETE CASCADE removes the client's tokens in the same statement.
        return deleteClient.run(id).changes > 0;
      },
    };

    this.accessTokens = {
      async save(t) {
        open();
        try {
          insertToken.run(t.hash, t.clientId, t.userId, JSON.stringify(t.scopes), t.expiresAt.getTime(), t.createdAt.getTime());
        } catch (err) {
          mapWriteError(err, 'an access token with this hash already exists');
        }
      },
      async find(hash) {
        open();
        const row = findToken.get(hash);
        return row ? toToken(row) : null;
      },
      async deleteByClient(clientId) {
        open();
        return deleteTokensOf.run(clientId).changes;
      },
      async deleteExpired(now) {
        open();
        return deleteExpired.run(now.getTime()).changes;
      },
    };
  }

  async ping(): Promise<void> {
    this.#assertOpen();
    this.#ping.get();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new OAuth2StoreError('closed', 'the store is closed');
  }
}
