import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { OAuth2Store } from '@tsforge/oauth2-server';
import { SqliteStore } from '@tsforge/oauth2-server/sqlite';
import { describeUrl } from './backing-services.js';
import type { ServerConfig } from './config.js';
import { connectFailure } from './database-connect-error.js';
import { makeDirs } from './make-dirs.js';
import { createPrivateFile } from './private-files.js';

export const DATABASE_FILE = 'tsforge.db';

export interface StoreOptions {
  /** Errors of idle PostgreSQL connections (a restarted database): logged, never thrown. */
  onError?: (err: Error) => void;
}

/**
 * The OAuth store the config names: SQLite in the data dir, or PostgreSQL for `DATABASE_URL`.
 * Either is migrated on open; on PostgreSQL an advisory lock lets several instances start at once.
 * The PostgreSQL driver is imported only when configured.
 */
export async function openStore(config: ServerConfig, o: StoreOptions = {}): Promise<OAuth2Store> {
  const { database } = config.services;
  if (database.kind === 'sqlite') return new SqliteStore({ path: sqliteFile(config) });
  const { PostgresStore } = await import('@tsforge/oauth2-server/postgres');
  return connecting(database.url, () => PostgresStore.open({ connectionString: database.url, max: database.poolSize, statementTimeoutMs: database.statementTimeoutMs, ...(o.onError ? { onError: o.onError } : {}) }));
}

/**
 * A database that is down or refuses us at start-up stops the command with one line naming
 * where it is (never the password): no retrying here, the supervisor restarts the process.
 */
async function connecting<T>(url: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (err) {
    throw connectFailure(err, describeUrl(url)) ?? err;
  }
}

/** For a command that only reads: is there a database, without creating one? */
export function databaseExists(config: ServerConfig): boolean {
  return config.services.database.kind === 'postgres' || existsSync(join(config.dataDir, DATABASE_FILE));
}

/** Where the database is, for logs and messages: a path or a URL without credentials. */
export function describeDatabase(config: ServerConfig): string {
  const { database } = config.services;
  return database.kind === 'sqlite' ? join(config.dataDir, DATABASE_FILE) : describeUrl(database.url);
}

/** `tsforge migrate`: brings the schema up to date and says from which version to which. */
export async function migrateDatabase(config: ServerConfig): Promise<{ from: number; to: number }> {
  const { database } = config.services;
  if (database.kind === 'postgres') {
    const { migratePostgres } = await import('@tsforge/oauth2-server/postgres');
    return connecting(database.url, () => migratePostgres({ connectionString: database.url }));
  }
  return SqliteStore.migrate(sqliteFile(config));
}

/** The data dir's database file, created private (0600) in a private dir when missing. */
function sqliteFile(config: ServerConfig): string {
  makeDirs(config.dataDir, 0o700);
  const path = join(config.dataDir, DATABASE_FILE);
  createPrivateFile(path);
  return path;
}
