import pg from 'pg';
import { OAuth2StoreError } from '../store-error.js';
import { validateSchema } from './database.js';

/**
 * Numbered migrations: entry i brings the schema from version i to i + 1, one transaction
 * each, with `search_path` set to the store's schema. Append only; never edit a released
 * migration, and keep the previous release working while both run (rolling deploy): add
 * columns nullable or with a default. Version 1 is the SQLite schema at its version 3 in
 * PostgreSQL types: instants are timestamptz (microseconds, so milliseconds round-trip),
 * lists are text[], keys compare bytewise (COLLATE "C": the order of the other stores, and
 * cheaper than a locale).
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE clients (
    id            text COLLATE "C" PRIMARY KEY,
    name          text NOT NULL,
    secret_hash   text,
    grant_types   text[] NOT NULL,
    scopes        text[] NOT NULL,
    redirect_uris text[] NOT NULL,
    created_at    timestamptz NOT NULL
  );

  CREATE TABLE access_tokens (
    hash       text COLLATE "C" PRIMARY KEY,
    client_id  text COLLATE "C" NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    user_id    text COLLATE "C",
    scopes     text[] NOT NULL,
    grant_id   text COLLATE "C",
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL
  );
  CREATE INDEX access_tokens_client_id ON access_tokens (client_id);
  CREATE INDEX access_tokens_expires_at ON access_tokens (expires_at);
  -- Partial: client_credentials tokens (no grant family, no user) cost the token endpoint nothing.
  CREATE INDEX access_tokens_grant_id ON access_tokens (grant_id) WHERE grant_id IS NOT NULL;
  CREATE INDEX access_tokens_user_id ON access_tokens (user_id) WHERE user_id IS NOT NULL;

  CREATE TABLE authorization_codes (
    hash                  text COLLATE "C" PRIMARY KEY,
    client_id             text COLLATE "C" NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    user_id               text COLLATE "C" NOT NULL,
    redirect_uri          text,
    scopes                text[] NOT NULL,
    code_challenge        text,
    code_challenge_method text,
    grant_id              text COLLATE "C" NOT NULL,
    expires_at            timestamptz NOT NULL,
    created_at            timestamptz NOT NULL,
    consumed_at           timestamptz,
    replayed_at           timestamptz
  );
  CREATE INDEX authorization_codes_client_id ON authorization_codes (client_id);
  CREATE INDEX authorization_codes_expires_at ON authorization_codes (expires_at);
  CREATE INDEX authorization_codes_user_id ON authorization_codes (user_id);

  CREATE TABLE refresh_tokens (
    hash       text COLLATE "C" PRIMARY KEY,
    client_id  text COLLATE "C" NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    user_id    text COLLATE "C",
    scopes     text[] NOT NULL,
    grant_id   text COLLATE "C" NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    rotated_at timestamptz
  );
  CREATE INDEX refresh_tokens_client_id ON refresh_tokens (client_id);
  CREATE INDEX refresh_tokens_grant_id ON refresh_tokens (grant_id);
  CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);
  CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id) WHERE user_id IS NOT NULL;

  CREATE TABLE users (
    id            text COLLATE "C" PRIMARY KEY,
    username      text COLLATE "C" NOT NULL UNIQUE,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL
  );

  CREATE TABLE consents (
    user_id    text COLLATE "C" NOT NULL,
    client_id  text COLLATE "C" NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    scopes     text[] NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, client_id)
  );
  CREATE INDEX consents_client_id ON consents (client_id);

  CREATE TABLE signing_keys (
    kid                   text COLLATE "C" PRIMARY KEY,
    alg                   text NOT NULL,
    public_jwk            text NOT NULL,
    private_jwk_encrypted text NOT NULL,
    created_at            timestamptz NOT NULL,
    retired_at            timestamptz,
    publish_until         timestamptz
  );
  `,
];

export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

/** One row per applied migration. */
export const VERSION_TABLE = 'tsforge_oauth2_migrations';

/** First key of the advisory lock ('tsOA'); the second is hashtext(schema): one lock per schema. */
const LOCK_CLASS = 0x74734f41;

type Queryable = Pick<pg.PoolClient, 'query'>;

/** The schema's version: 0 when it or its version table does not exist. */
export async function schemaVersion(db: Queryable, schema: string): Promise<number> {
  const found = await db.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`"${schema}".${VERSION_TABLE}`]);
  if (found.rows[0]?.t == null) return 0;
  const v = await db.query<{ v: number }>(`SELECT coalesce(max(version), 0)::int AS v FROM "${schema}".${VERSION_TABLE}`);
  return v.rows[0]?.v ?? 0;
}

export function tooNew(schema: string, version: number): OAuth2StoreError {
  return new OAuth2StoreError(
    'schema_too_new',
    `the OAuth2 schema "${schema}" has schema version ${version}, but this version of @tsforge/oauth2-server ` +
      `only knows versions up to ${POSTGRES_SCHEMA_VERSION}; upgrade the package or restore a database written by this version`,
  );
}

function foreignSchema(schema: string, cause: Error): Error {
  return new Error(
    `PostgresStore: the schema "${schema}" holds tables tsforge did not make (${cause.message}); give tsforge a database or schema of its own`,
    { cause },
  );
}

/**
 * Brings `schema` to `POSTGRES_SCHEMA_VERSION`. Any number of processes may call this at the
 * same moment: a session advisory lock per schema lets one migrate while the others wait, then
 * find nothing left to do. A schema already current needs no DDL, so a role with only DML rights
 * can open it.
 */
export async function migrateWith(pool: pg.Pool, schema: string): Promise<{ from: number; to: number }> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    // Building an index on a big table may take longer than a request should.
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
    try {
      const from = await schemaVersion(client, schema);
      if (from > POSTGRES_SCHEMA_VERSION) throw tooNew(schema, from);
      if (from === POSTGRES_SCHEMA_VERSION) return { from, to: from };
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA "${schema}"`);
      for (let version = from; version < POSTGRES_SCHEMA_VERSION; version++) {
        await client.query('BEGIN');
        try {
          // In the transaction: a failed first migration leaves no version table behind.
          await client.query(`CREATE TABLE IF NOT EXISTS "${schema}".${VERSION_TABLE} (
            version    integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
          )`);
          await client.query(`SET LOCAL search_path TO "${schema}"`);
          await client.query(MIGRATIONS[version] as string);
          await client.query(`INSERT INTO "${schema}".${VERSION_TABLE} (version) VALUES ($1)`, [version + 1]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          // 42P07 duplicate_table on a schema without our version table: another application's.
          if (version === 0 && (err as { code?: unknown }).code === '42P07') throw foreignSchema(schema, err as Error);
          throw err;
        }
      }
      return { from, to: POSTGRES_SCHEMA_VERSION };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, schema]).catch(() => undefined);
    }
  } catch (err) {
    failure = err as Error;
    throw err;
  } finally {
    // The session changed statement_timeout: never hand it back to the pool.
    client.release(failure ?? true);
  }
}

/** Refuses a schema that is not exactly at `POSTGRES_SCHEMA_VERSION` (used with `migrate: false`). */
export async function checkVersion(pool: pg.Pool, schema: string): Promise<void> {
  const version = await schemaVersion(pool, schema);
  if (version > POSTGRES_SCHEMA_VERSION) throw tooNew(schema, version);
  if (version < POSTGRES_SCHEMA_VERSION) {
    throw new Error(
      `PostgresStore: the OAuth2 schema "${schema}" is at version ${version}, this code needs ${POSTGRES_SCHEMA_VERSION}; ` +
        'run migratePostgres() or open the store with migrate: true',
    );
  }
}

/**
 * Migrates a schema without opening a store (a deploy step). `connectTimeoutMs` (default 3000)
 * bounds the wait for a connection of its own: a server that accepts and never answers must not
 * hang the deploy. Waiting for another migration's lock is not bounded.
 */
export async function migratePostgres(o: {
  connectionString?: string;
  pool?: pg.Pool;
  schema?: string;
  connectTimeoutMs?: number;
}): Promise<{ from: number; to: number }> {
  const schema = validateSchema(o.schema ?? 'public');
  if ((o.pool === undefined) === (o.connectionString === undefined)) {
    throw new TypeError('migratePostgres: pass exactly one of connectionString and pool');
  }
  if (o.pool) return migrateWith(o.pool, schema);
  const pool = new pg.Pool({ connectionString: o.connectionString, max: 1, connectionTimeoutMillis: o.connectTimeoutMs ?? 3000 });
  pool.on('error', () => undefined);
  try {
    return await migrateWith(pool, schema);
  } finally {
    await pool.end();
  }
}
