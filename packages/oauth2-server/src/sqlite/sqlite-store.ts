import Database from 'better-sqlite3';
import { OAuth2StoreError } from '../store-error.js';
import type {
  AccessTokenStore,
  AuthorizationCodeStore,
  ClientStore,
  ConsentStore,
  OAuth2Store,
  RefreshTokenStore,
  SigningKeyStore,
  UserStore,
} from '../store.js';
import { consentTable, signingKeyTable, userTable } from './account-tables.js';
import { accessTokenTable, authorizationCodeTable, refreshTokenTable } from './grant-tables.js';
import { migrate } from './migrations.js';
import { clientTable } from './client-table.js';

export interface SqliteStoreOptions {
  /** Database file; `:memory:` works for tests but loses everything on close. */
  path: string;
  /** Milliseconds a writer waits for a lock before failing with SQLITE_BUSY. Default 5000. */
  busyTimeoutMs?: number;
}

/**
 * A single-file store on better-sqlite3: WAL journal, a busy timeout, enforced foreign keys
 * (deleting a client cascades to its codes, tokens and consents) and a schema migrated on open.
 * Calls are synchronous underneath; the Promise API matches stores that are not. Atomic
 * consumes are single `UPDATE ... WHERE ... IS NULL RETURNING *` statements, which is also
 * what a PostgreSQL store would run.
 */
export class SqliteStore implements OAuth2Store {
  readonly clients: ClientStore;
  readonly accessTokens: AccessTokenStore;
  readonly authorizationCodes: AuthorizationCodeStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly users: UserStore;
  readonly consents: ConsentStore;
  readonly signingKeys: SigningKeyStore;
  #db: Database.Database;
  #ping: Database.Statement;
  #closed = false;

  /** Opens the file, brings its schema up to date and closes it again (`tsforge migrate`). */
  static migrate(path: string): { from: number; to: number } {
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      return migrate(db, path);
    } finally {
      db.close();
    }
  }

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
    this.clients = clientTable(db, open);
    this.accessTokens = accessTokenTable(db, open);
    this.authorizationCodes = authorizationCodeTable(db, open);
    this.refreshTokens = refreshTokenTable(db, open);
    this.users = userTable(db, open);
    this.consents = consentTable(db, open);
    this.signingKeys = signingKeyTable(db, open);
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
