import type { ClientStore } from '../store.js';
import { type Database, storable } from './database.js';
import { type ClientRow, COLUMNS, iso, toClient } from './rows.js';
import { mapWriteError } from './write-error.js';

/**
 * The clients table. Unlike the SQLite store there is no in-process cache: other servers write
 * the same table, and a primary-key lookup on a prepared statement is one short round trip.
 */
export function clientTable(db: Database): ClientStore {
  const t = db.table('clients');
  const insert = db.prepare<[string, string, string | null, string[], string[], string[], string]>(
    `INSERT INTO ${t} (id, name, secret_hash, grant_types, scopes, redirect_uris, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  );
  const get = db.prepare<[string], ClientRow>(`SELECT ${COLUMNS.clients} FROM ${t} WHERE id = $1`);
  const list = db.prepare<[], ClientRow>(`SELECT ${COLUMNS.clients} FROM ${t} ORDER BY created_at, id`);
  // ON DELETE CASCADE removes the client's codes, tokens and consents in the same statement.
  const del = db.prepare<[string]>(`DELETE FROM ${t} WHERE id = $1`);
  return {
    async create(c) {
      try {
        await insert.count(c.id, c.name, c.secretHash, c.grantTypes, c.scopes, c.redirectUris, iso(c.createdAt));
      } catch (err) {
        mapWriteError(err, 'a client with this id already exists');
      }
    },
    async get(id) {
      const row = storable(id) ? await get.first(id) : undefined;
      return row ? toClient(row) : null;
    },
    async list() {
      return (await list.rows()).map(toClient);
    },
    async delete(id) {
      return storable(id) && (await del.count(id)) > 0;
    },
  };
}
