import type { ConsentStore, SigningKeyStore, UserStore } from '../store.js';
import { type Database, storable } from './database.js';
import { COLUMNS, type ConsentRow, iso, type KeyRow, maybeIso, toConsent, toKey, toUser, type UserRow } from './rows.js';
import { mapWriteError } from './write-error.js';

export function userTable(db: Database): UserStore {
  const t = db.table('users');
  const insert = db.prepare<[string, string, string, string]>(`INSERT INTO ${t} (id, username, password_hash, created_at) VALUES ($1, $2, $3, $4)`);
  const get = db.prepare<[string], UserRow>(`SELECT ${COLUMNS.users} FROM ${t} WHERE id = $1`);
  const byName = db.prepare<[string], UserRow>(`SELECT ${COLUMNS.users} FROM ${t} WHERE username = $1`);
  const list = db.prepare<[], UserRow>(`SELECT ${COLUMNS.users} FROM ${t} ORDER BY created_at, id`);
  const setHash = db.prepare<[string, string]>(`UPDATE ${t} SET password_hash = $1 WHERE id = $2`);
  // What the user granted goes with them, in ONE statement (data-modifying CTEs all run in it,
  // so it is one transaction and one round trip). Nothing is deleted for an unknown user.
  const granted = ['consents', 'authorization_codes', 'access_tokens', 'refresh_tokens'].map(
    (name, i) => `g${i} AS (DELETE FROM ${db.table(name)} WHERE user_id IN (SELECT id FROM u))`,
  );
  const del = db.prepare<[string], { deleted: number }>(
    `WITH u AS (DELETE FROM ${t} WHERE id = $1 RETURNING id), ${granted.join(', ')} SELECT count(*)::int AS deleted FROM u`,
  );
  return {
    async create(u) {
      try {
        await insert.count(u.id, u.username, u.passwordHash, iso(u.createdAt));
      } catch (err) {
        mapWriteError(err, 'a user with this id or username already exists');
      }
    },
    async get(id) {
      const row = storable(id) ? await get.first(id) : undefined;
      return row ? toUser(row) : null;
    },
    async findByUsername(username) {
      const row = storable(username) ? await byName.first(username) : undefined;
      return row ? toUser(row) : null;
    },
    async list() {
      return (await list.rows()).map(toUser);
    },
    async delete(id) {
      return ((await del.first(id))?.deleted ?? 0) > 0;
    },
    async setPasswordHash(id, passwordHash) {
      return (await setHash.count(passwordHash, id)) > 0;
    },
  };
}

export function consentTable(db: Database): ConsentStore {
  const t = db.table('consents');
  const get = db.prepare<[string, string], ConsentRow>(`SELECT ${COLUMNS.consents} FROM ${t} WHERE user_id = $1 AND client_id = $2`);
  const upsert = db.prepare<[string, string, string[], string]>(
    `INSERT INTO ${t} (user_id, client_id, scopes, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id, client_id) DO UPDATE SET scopes = excluded.scopes, updated_at = excluded.updated_at`,
  );
  const del = db.prepare<[string, string]>(`DELETE FROM ${t} WHERE user_id = $1 AND client_id = $2`);
  return {
    async get(userId, clientId) {
      const row = await get.first(userId, clientId);
      return row ? toConsent(row) : null;
    },
    async save(c) {
      try {
        await upsert.count(c.userId, c.clientId, c.scopes, iso(c.updatedAt));
      } catch (err) {
        mapWriteError(err, 'consent conflict');
      }
    },
    async delete(userId, clientId) {
      return (await del.count(userId, clientId)) > 0;
    },
  };
}

export function signingKeyTable(db: Database): SigningKeyStore {
  const t = db.table('signing_keys');
  const insert = db.prepare<[string, string, string, string, string, string | null, string | null]>(
    `INSERT INTO ${t} (kid, alg, public_jwk, private_jwk_encrypted, created_at, retired_at, publish_until) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  );
  const list = db.prepare<[], KeyRow>(`SELECT ${COLUMNS.keys} FROM ${t} ORDER BY created_at, kid`);
  const retire = db.prepare<[string, string, string]>(
    `UPDATE ${t} SET retired_at = $1, publish_until = $2 WHERE kid = $3 AND retired_at IS NULL`,
  );
  // A handful of keys: one statement.
  const delExpired = db.prepare<[string]>(`DELETE FROM ${t} WHERE publish_until IS NOT NULL AND publish_until <= $1`);
  return {
    async create(k) {
      try {
        await insert.count(k.kid, k.alg, k.publicJwk, k.privateJwkEncrypted, iso(k.createdAt), maybeIso(k.retiredAt), maybeIso(k.publishUntil));
      } catch (err) {
        mapWriteError(err, 'a signing key with this kid already exists');
      }
    },
    async list() {
      return (await list.rows()).map(toKey);
    },
    async retire(kid, retiredAt, publishUntil) {
      return (await retire.count(iso(retiredAt), iso(publishUntil), kid)) > 0;
    },
    deleteExpired: async (now) => delExpired.count(iso(now)),
  };
}
