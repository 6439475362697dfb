import type Database from 'better-sqlite3';
import type { ConsentStore, SigningKeyStore, UserStore } from '../store.js';
import { type ConsentRow, type KeyRow, ms, toConsent, toKey, toUser, type UserRow } from './rows.js';
import { mapWriteError } from './write-error.js';

type Open = () => void;

export function userTable(db: Database.Database, open: Open): UserStore {
  const insert = db.prepare<[string, string, string, number]>('INSERT INTO users (id, username, password_hash, created_at) VALUES (?, ?, ?, ?)');
  const get = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?');
  const byName = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
  const list = db.prepare<[], UserRow>('SELECT * FROM users ORDER BY created_at, id');
  // What the user granted goes with them. Few rows per user; the scans are bounded by the tables.
  const granted = ['consents', 'authorization_codes', 'access_tokens', 'refresh_tokens'].map((t) => db.prepare<[string]>(`DELETE FROM ${t} WHERE user_id = ?`));
  const del = db.prepare<[string]>('DELETE FROM users WHERE id = ?');
  const setHash = db.prepare<[string, string]>('UPDATE users SET password_hash = ? WHERE id = ?');
  const deleteUser = db.transaction((id: string) => {
    const deleted = del.run(id).changes > 0;
    if (deleted) for (const statement of granted) statement.run(id);
    return deleted;
  });
  return {
    async create(u) {
      open();
      try {
        insert.run(u.id, u.username, u.passwordHash, u.createdAt.getTime());
      } catch (err) {
        mapWriteError(err, 'a user with this id or username already exists');
      }
    },
    async get(id) {
      open();
      const row = get.get(id);
      return row ? toUser(row) : null;
    },
    async findByUsername(username) {
      open();
      const row = byName.get(username);
      return row ? toUser(row) : null;
    },
    async list() {
      open();
      return list.all().map(toUser);
    },
    async delete(id) {
      open();
      return deleteUser(id);
    },
    async setPasswordHash(id, passwordHash) {
      open();
      return setHash.run(passwordHash, id).changes > 0;
    },
  };
}

export function consentTable(db: Database.Database, open: Open): ConsentStore {
  const get = db.prepare<[string, string], ConsentRow>('SELECT * FROM consents WHERE user_id = ? AND client_id = ?');
  const upsert = db.prepare<[string, string, string, number]>(
    `INSERT INTO consents (user_id, client_id, scopes, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (user_id, client_id) DO UPDATE SET scopes = excluded.scopes, updated_at = excluded.updated_at`,
  );
  const del = db.prepare<[string, string]>('DELETE FROM consents WHERE user_id = ? AND client_id = ?');
  return {
    async get(userId, clientId) {
      open();
      const row = get.get(userId, clientId);
      return row ? toConsent(row) : null;
    },
    async save(c) {
      open();
      try {
        upsert.run(c.userId, c.clientId, JSON.stringify(c.scopes), c.updatedAt.getTime());
      } catch (err) {
        mapWriteError(err, 'consent conflict');
      }
    },
    async delete(userId, clientId) {
      open();
      return del.run(userId, clientId).changes > 0;
    },
  };
}

export function signingKeyTable(db: Database.Database, open: Open): SigningKeyStore {
  const insert = db.prepare<[string, string, string, string, number, number | null, number | null]>(
    `INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk_encrypted, created_at, retired_at, publish_until)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const list = db.prepare<[], KeyRow>('SELECT * FROM signing_keys ORDER BY created_at, kid');
  const retire = db.prepare<[number, number, string]>(
    'UPDATE signing_keys SET retired_at = ?, publish_until = ? WHERE kid = ? AND retired_at IS NULL',
  );
  const delExpired = db.prepare<[number]>('DELETE FROM signing_keys WHERE publish_until IS NOT NULL AND publish_until <= ?');
  return {
    async create(k) {
      open();
      try {
        insert.run(k.kid, k.alg, k.publicJwk, k.privateJwkEncrypted, k.createdAt.getTime(), ms(k.retiredAt), ms(k.publishUntil));
      } catch (err) {
        mapWriteError(err, 'a signing key with this kid already exists');
      }
    },
    async list() {
      open();
      return list.all().map(toKey);
    },
    async retire(kid, retiredAt, publishUntil) {
      open();
      return retire.run(retiredAt.getTime(), publishUntil.getTime(), kid).changes > 0;
    },
    async deleteExpired(now) {
      open();
      return delExpired.run(now.getTime()).changes;
    },
  };
}
