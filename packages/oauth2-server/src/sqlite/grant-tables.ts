import type Database from 'better-sqlite3';
import type { AccessTokenStore, AuthorizationCodeStore, RefreshTokenStore } from '../store.js';
import type { AccessTokenRecord } from '../types.js';
import { type AccessTokenRow, type CodeRow, ms, type RefreshRow, toAccessToken, toCode, toRefresh } from './rows.js';
import { mapWriteError } from './write-error.js';
import { GroupCommit } from './group-commit.js';

type Open = () => void;

export function accessTokenTable(db: Database.Database, open: Open): AccessTokenStore {
  const insert = db.prepare<[string, string, string | null, string, number, number, string | null]>(
    'INSERT INTO access_tokens (hash, client_id, user_id, scopes, expires_at, created_at, grant_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const find = db.prepare<[string], AccessTokenRow>('SELECT * FROM access_tokens WHERE hash = ?');
  const del = db.prepare<[string]>('DELETE FROM access_tokens WHERE hash = ?');
  const delByClient = db.prepare<[string]>('DELETE FROM access_tokens WHERE client_id = ?');
  const delByGrant = db.prepare<[string]>('DELETE FROM access_tokens WHERE grant_id = ?');
  const delExpired = db.prepare<[number]>('DELETE FROM access_tokens WHERE expires_at <= ?');
  // The token endpoint's hot write: committed in groups (see GroupCommit).
  const inserts = new GroupCommit(db, (t: AccessTokenRecord) => {
    insert.run(t.hash, t.clientId, t.userId, JSON.stringify(t.scopes), t.expiresAt.getTime(), t.createdAt.getTime(), t.grantId);
  });
  return {
    async save(t) {
      open();
      try {
        await inserts.run(t);
      } catch (err) {
        open();
        mapWriteError(err, 'an access token with this hash already exists');
      }
    },
    async find(hash) {
      open();
      const row = find.get(hash);
      return row ? toAccessToken(row) : null;
    },
    async delete(hash) {
      open();
      return del.run(hash).changes > 0;
    },
    async deleteByClient(clientId) {
      open();
      return delByClient.run(clientId).changes;
    },
    async deleteByGrant(grantId) {
      open();
      return delByGrant.run(grantId).changes;
    },
    async deleteExpired(now) {
      open();
      return delExpired.run(now.getTime()).changes;
    },
  };
}

export function authorizationCodeTable(db: Database.Database, open: Open): AuthorizationCodeStore {
  const insert = db.prepare<[string, string, string, string | null, string, string | null, string | null, string, number, number, number | null, number | null]>(
    `INSERT INTO authorization_codes (hash, client_id, user_id, redirect_uri, scopes, code_challenge, code_challenge_method,
       grant_id, expires_at, created_at, consumed_at, replayed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const markReplayed = db.prepare<[number, string]>('UPDATE authorization_codes SET replayed_at = ? WHERE hash = ? AND replayed_at IS NULL');
  // The atomic consume: one conditional UPDATE; only one caller can see consumed_at IS NULL.
  const consume = db.prepare<[number, string], CodeRow>(
    'UPDATE authorization_codes SET consumed_at = ? WHERE hash = ? AND consumed_at IS NULL RETURNING *',
  );
  const find = db.prepare<[string], CodeRow>('SELECT * FROM authorization_codes WHERE hash = ?');
  const delExpired = db.prepare<[number]>('DELETE FROM authorization_codes WHERE expires_at <= ?');
  return {
    async save(c) {
      open();
      try {
        insert.run(c.hash, c.clientId, c.userId, c.redirectUri, JSON.stringify(c.scopes), c.codeChallenge, c.codeChallengeMethod,
          c.grantId, c.expiresAt.getTime(), c.createdAt.getTime(), ms(c.consumedAt), ms(c.replayedAt));
      } catch (err) {
        mapWriteError(err, 'an authorization code with this hash already exists');
      }
    },
    async consume(hash, now) {
      open();
      const won = consume.get(now.getTime(), hash);
      if (won) return { status: 'consumed', record: toCode(won) };
      const row = find.get(hash);
      return row ? { status: 'already_consumed', record: toCode(row) } : { status: 'not_found' };
    },
    async find(hash) {
      open();
      const row = find.get(hash);
      return row ? toCode(row) : null;
    },
    async markReplayed(hash, now) {
      open();
      markReplayed.run(now.getTime(), hash);
    },
    async deleteExpired(now) {
      open();
      return delExpired.run(now.getTime()).changes;
    },
  };
}

export function refreshTokenTable(db: Database.Database, open: Open): RefreshTokenStore {
  const insert = db.prepare<[string, string, string | null, string, string, number, number, number | null]>(
    `INSERT INTO refresh_tokens (hash, client_id, user_id, scopes, grant_id, expires_at, created_at, rotated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const consume = db.prepare<[number, string, string], RefreshRow>(
    'UPDATE refresh_tokens SET rotated_at = ? WHERE hash = ? AND client_id = ? AND rotated_at IS NULL RETURNING *',
  );
  const find = db.prepare<[string], RefreshRow>('SELECT * FROM refresh_tokens WHERE hash = ?');
  const del = db.prepare<[string]>('DELETE FROM refresh_tokens WHERE hash = ?');
  const delByGrant = db.prepare<[string]>('DELETE FROM refresh_tokens WHERE grant_id = ?');
  const delExpired = db.prepare<[number]>('DELETE FROM refresh_tokens WHERE expires_at <= ?');
  return {
    async save(t) {
      open();
      try {
        insert.run(t.hash, t.clientId, t.userId, JSON.stringify(t.scopes), t.grantId, t.expiresAt.getTime(), t.createdAt.getTime(), ms(t.rotatedAt));
      } catch (err) {
        mapWriteError(err, 'a refresh token with this hash already exists');
      }
    },
    async find(hash) {
      open();
      const row = find.get(hash);
      return row ? toRefresh(row) : null;
    },
    async consume(hash, clientId, now) {
      open();
      const won = consume.get(now.getTime(), hash, clientId);
      if (won) return { status: 'consumed', record: toRefresh(won) };
      const row = find.get(hash);
      return row && row.client_id === clientId ? { status: 'already_consumed', record: toRefresh(row) } : { status: 'not_found' };
    },
    async delete(hash) {
      open();
      return del.run(hash).changes > 0;
    },
    async deleteByGrant(grantId) {
      open();
      return delByGrant.run(grantId).changes;
    },
    async deleteExpired(now) {
      open();
      return delExpired.run(now.getTime()).changes;
    },
  };
}
