import type Database from 'better-sqlite3';
import type { ClientStore } from '../store.js';
import type { ClientRecord } from '../types.js';
import { ExternalChanges } from './data-version.js';
import { type ClientRow, toClient } from './rows.js';
import { mapWriteError } from './write-error.js';

/** A server has few clients; the bound only keeps a flood of distinct ids from growing it. */
const MAX_CACHED = 10_000;

/**
 * The clients table, with the records that `get` found kept in memory: every token request
 * looks its client up, and the row rarely changes. The table stays the truth: a delete
 * through this store drops the entry at once, and a commit by any other connection (the
 * `tsforge client` CLI, another server process) empties the cache before the next lookup
 * (`ExternalChanges`). Unknown ids are never cached. Callers get copies, as from the table.
 */
export function clientTable(db: Database.Database, open: () => void): ClientStore {
  const insert = db.prepare<[string, string, string | null, string, string, string, number]>(
    'INSERT INTO clients (id, name, secret_hash, grant_types, scopes, redirect_uris, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const get = db.prepare<[string], ClientRow>('SELECT * FROM clients WHERE id = ?');
  const list = db.prepare<[], ClientRow>('SELECT * FROM clients ORDER BY created_at, id');
  const del = db.prepare<[string]>('DELETE FROM clients WHERE id = ?');
  const cache = new Map<string, ClientRecord>();
  const elsewhere = new ExternalChanges(db);
  return {
    async create(c) {
      open();
      try {
        insert.run(c.id, c.name, c.secretHash, JSON.stringify(c.grantTypes), JSON.stringify(c.scopes),
          JSON.stringify(c.redirectUris), c.createdAt.getTime());
      } catch (err) {
        mapWriteError(err, 'a client with this id already exists');
      }
    },
    async get(id) {
      open();
      if (elsewhere.seen()) cache.clear();
      let record = cache.get(id);
      if (record === undefined) {
        const row = get.get(id);
        if (!row) return null;
        record = toClient(row);
        if (cache.size >= MAX_CACHED) cache.clear();
        cache.set(id, record);
      }
      return copy(record);
    },
    async list() {
      open();
      return list.all().map(toClient);
    },
    async delete(id) {
      open();
      cache.delete(id);
      // ON DELETE CASCADE removes the client's codes, tokens and consents in the same statement.
      return del.run(id).changes > 0;
    },
  };
}

function copy(r: ClientRecord): ClientRecord {
  return {
    ...r, grantTypes: [...r.grantTypes], scopes: [...r.scopes], redirectUris: [...r.redirectUris], createdAt: new Date(r.createdAt.getTime()),
  };
}
