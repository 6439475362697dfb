import type Database from 'better-sqlite3';
import { OAuth2StoreError } from '../store-error.js';

/**
 * Numbered migrations: entry i brings the schema from version i to i + 1, recorded in
 * `PRAGMA user_version`. Append only; never edit a released migration.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: clients and access tokens. Arrays are JSON text; instants are integer milliseconds.
  `
  CREATE TABLE clients (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    secret_hash   TEXT,
    grant_types   TEXT NOT NULL,
    scopes        TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    created_at    INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE access_tokens (
    hash       TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    user_id    TEXT,
    scopes     TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  CREATE INDEX access_tokens_client_id ON access_tokens (client_id);
  CREATE INDEX access_tokens_expires_at ON access_tokens (expires_at);
  `,
  // 2: authorization codes, refresh tokens (grant families), users, consents, signing keys.
  // Tokens issued before this version have no grant family (grant_id NULL), as intended for
  // client_credentials tokens, so existing data keeps working unchanged.
  `
  ALTER TABLE access_tokens ADD COLUMN grant_id TEXT;
  CREATE INDEX access_tokens_grant_id ON access_tokens (grant_id) WHERE grant_id IS NOT NULL;

  CREATE TABLE authorization_codes (
    hash                  TEXT PRIMARY KEY,
    client_id             TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    user_id               TEXT NOT NULL,
    redirect_uri          TEXT,
    scopes                TEXT NOT NULL,
    code_challenge        TEXT,
    code_challenge_method TEXT,
    grant_id              TEXT NOT NULL,
    expires_at            INTEGER NOT NULL,
    created_at            INTEGER NOT NULL,
    consumed_at           INTEGER,
    replayed_at           INTEGER
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX authorization_codes_client_id ON authorization_codes (client_id);
  CREATE INDEX authorization_codes_expires_at ON authorization_codes (expires_at);

  CREATE TABLE refresh_tokens (
    hash       TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    user_id    TEXT,
    scopes     TEXT NOT NULL,
    grant_id   TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    rotated_at INTEGER
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX refresh_tokens_client_id ON refresh_tokens (client_id);
  CREATE INDEX refresh_tokens_grant_id ON refresh_tokens (grant_id);
  CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);

  CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE consents (
    user_id    TEXT NOT NULL,
    client_id  TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    scopes     TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, client_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX consents_client_id ON consents (client_id);

  CREATE TABLE signing_keys (
    kid                   TEXT PRIMARY KEY,
    alg                   TEXT NOT NULL,
    public_jwk            TEXT NOT NULL,
    private_jwk_encrypted TEXT NOT NULL,
    created_at            INTEGER NOT NULL,
    retired_at            INTEGER,
    publish_until         INTEGER
  ) STRICT;
  `,
  // 3: deleting a user deletes what they granted; these keep that from scanning whole tables.
  // Partial, so client_credentials tokens (no user) cost the token endpoint nothing.
  `
  CREATE INDEX access_tokens_user_id ON access_tokens (user_id) WHERE user_id IS NOT NULL;
  CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id) WHERE user_id IS NOT NULL;
  CREATE INDEX authorization_codes_user_id ON authorization_codes (user_id);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to `SCHEMA_VERSION`, one transaction per migration. */
export function migrate(db: Database.Database, path: string): { from: number; to: number } {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new OAuth2StoreError(
      'schema_too_new',
      `the OAuth2 database at ${path} has schema version ${current}, but this version of ` +
        `@tsforge/oauth2-server only knows versions up to ${SCHEMA_VERSION}; upgrade the package ` +
        'or restore a database written by this version',
    );
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    const sql = MIGRATIONS[version] as string;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
  return { from: current, to: SCHEMA_VERSION };
}
