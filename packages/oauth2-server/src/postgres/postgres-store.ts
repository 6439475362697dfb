import pg from 'pg';
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
import { clientTable } from './client-table.js';
import { Database, type Statement, validateSchema } from './database.js';
import { accessTokenTable, authorizationCodeTable, refreshTokenTable } from './grant-tables.js';
import { checkVersion, migrateWith } from './migrations.js';
import { PoolGoodbye } from './pool-goodbye.js';

export interface PostgresStoreOptions {
  /** postgres://user@host:port/db?... */
  connectionString?: string;
  /** Or a pg.Pool the caller owns (close() then does not end it). One of the two is required. */
  pool?: pg.Pool;
  /** Schema for the tables (created if missing). Default 'public'. A plain lower-case identifier. */
  schema?: string;
  /** Pool size. Default 10. */
  max?: number;
  /** Fail fast: ms to wait for a connection (default 3000) and per statement (default 10000). */
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** Run migrations on open (default true). */
  migrate?: boolean;
  /** Errors of idle pool clients (a restarted server): logged by the caller, never thrown. */
  onError?: (err: Error) => void;
}

/** Slack over statement_timeout before the client gives up on a reply: the server cancels first. */
const READ_SLACK_MS = 2000;

/**
 * A store on a PostgreSQL pool (node-postgres). Every operation is one statement on a named
 * prepared statement; atomic consumes are single `UPDATE ... WHERE ... IS NULL RETURNING ...`;
 * deleting a user is one statement of data-modifying CTEs; deleting a client cascades through
 * foreign keys; purges delete in bounded batches. Failures reject fast (connection and
 * statement timeouts) with ordinary Errors, and the pool reconnects once the server is back.
 */
export class PostgresStore implements OAuth2Store {
  readonly clients: ClientStore;
  readonly accessTokens: AccessTokenStore;
  readonly authorizationCodes: AuthorizationCodeStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly users: UserStore;
  readonly consents: ConsentStore;
  readonly signingKeys: SigningKeyStore;
  readonly #pool: pg.Pool;
  /** Set when the store created the pool (and so ends it). */
  readonly #goodbye: PoolGoodbye | undefined;
  readonly #onPoolError: (err: Error) => void;
  readonly #db: Database;
  readonly #ping: Statement<[], never>;
  #closing: Promise<void> | undefined;

  /** Connects, migrates (unless `migrate: false`) and checks the schema version. */
  static async open(o: PostgresStoreOptions): Promise<PostgresStore> {
    if (o === null || typeof o !== 'object' || (o.pool === undefined) === (o.connectionString === undefined)) {
      throw new TypeError('PostgresStore.open: pass exactly one of connectionString and pool');
    }
    const schema = validateSchema(o.schema ?? 'public');
    const statementTimeoutMs = positive(o.statementTimeoutMs, 10_000, 'statementTimeoutMs');
    const ownsPool = o.pool === undefined;
    const connectTimeoutMs = positive(o.connectTimeoutMs, 3000, 'connectTimeoutMs');
    const pool = o.pool ?? new pg.Pool({
      connectionString: o.connectionString,
      max: positive(o.max, 10, 'max'),
      connectionTimeoutMillis: connectTimeoutMs,
      statement_timeout: statementTimeoutMs,
      keepAlive: true,
      application_name: 'tsforge-oauth2',
    });
    // An idle client whose server went away emits 'error' on the pool; unhandled, it would
    // crash the process. The pool drops that client and connects a new one when asked.
    const onPoolError = (err: Error): void => {
      try {
        o.onError?.(err);
      } catch {
        // A throwing logger must not turn a lost idle connection into a crash.
      }
    };
    pool.on('error', onPoolError);
    // A server that does not answer a goodbye for as long as a connect may take is not answering.
    const goodbye = ownsPool ? new PoolGoodbye(pool, connectTimeoutMs) : undefined;
    try {
      if (o.migrate === false) await checkVersion(pool, schema);
      else await migrateWith(pool, schema);
    } catch (err) {
      // Our own pool keeps the listener: a client may still fail while the pool ends.
      if (goodbye) await goodbye.end().catch(() => undefined);
      else pool.off('error', onPoolError);
      throw err;
    }
    return new PostgresStore(pool, goodbye, onPoolError, new Database(pool, schema, statementTimeoutMs + READ_SLACK_MS));
  }

  private constructor(pool: pg.Pool, goodbye: PoolGoodbye | undefined, onPoolError: (err: Error) => void, db: Database) {
    this.#pool = pool;
    this.#goodbye = goodbye;
    this.#onPoolError = onPoolError;
    this.#db = db;
    this.#ping = db.prepare('SELECT 1');
    this.clients = clientTable(db);
    this.accessTokens = accessTokenTable(db);
    this.authorizationCodes = authorizationCodeTable(db);
    this.refreshTokens = refreshTokenTable(db);
    this.users = userTable(db);
    this.consents = consentTable(db);
    this.signingKeys = signingKeyTable(db);
  }

  async ping(): Promise<void> {
    await this.#ping.first();
  }

  /** Idempotent. Ends the pool if the store created it; a caller's pool stays open. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#db.close();
      // Our own pool keeps the listener: a client may still fail while the pool ends.
      if (this.#goodbye) await this.#goodbye.end();
      else this.#pool.off('error', this.#onPoolError);
    })();
    return this.#closing;
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`PostgresStore: ${name} must be a positive integer`);
  return value;
}
