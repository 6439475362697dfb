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
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to `SCHEMA_VERSION`, one transaction per migration. */
export function migrate(db: Database.Database, path: string): void {
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
}
