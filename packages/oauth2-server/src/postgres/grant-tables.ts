import type { AccessTokenStore, AuthorizationCodeStore, RefreshTokenStore } from '../store.js';
import { type Database, deleteInBatches, purgeSql } from './database.js';
import { type AccessTokenRow, type CodeRow, COLUMNS, iso, maybeIso, type RefreshRow, toAccessToken, toCode, toRefresh } from './rows.js';
import { mapWriteError } from './write-error.js';

export function accessTokenTable(db: Database): AccessTokenStore {
  const t = db.table('access_tokens');
  // The token endpoint's hot path: both prepared once per connection.
  const insert = db.prepare<[string, string, string | null, string[], string | null, string, string]>(
    `INSERT INTO ${t} (hash, client_id, user_id, scopes, grant_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  );
  const find = db.prepare<[string], AccessTokenRow>(`SELECT ${COLUMNS.accessTokens} FROM ${t} WHERE hash = $1`);
  const del = db.prepare<[string]>(`DELETE FROM ${t} WHERE hash = $1`);
  const delByClient = db.prepare<[string]>(`DELETE FROM ${t} WHERE client_id = $1`);
  const delByGrant = db.prepare<[string]>(`DELETE FROM ${t} WHERE grant_id = $1`);
  const purge = db.prepare<[string, number]>(purgeSql(t, 'hash', 'expires_at'));
  return {
    async save(x) {
      try {
        await insert.count(x.hash, x.clientId, x.userId, x.scopes, x.grantId, iso(x.expiresAt), iso(x.createdAt));
      } catch (err) {
        mapWriteError(err, 'an access token with this hash already exists');
      }
    },
    async find(hash) {
      const row = await find.first(hash);
      return row ? toAccessToken(row) : null;
    },
    async delete(hash) {
      return (await del.count(hash)) > 0;
    },
    deleteByClient: (clientId) => delByClient.count(clientId),
    deleteByGrant: (grantId) => delByGrant.count(grantId),
    deleteExpired: (now) => deleteInBatches(purge, now),
  };
}

export function authorizationCodeTable(db: Database): AuthorizationCodeStore {
  const t = db.table('authorization_codes');
  const insert = db.prepare<[string, string, string, string | null, string[], string | null, string | null, string, string, string, string | null, string | null]>(
    `INSERT INTO ${t} (hash, client_id, user_id, redirect_uri, scopes, code_challenge, code_challenge_method,
       grant_id, expires_at, created_at, consumed_at, replayed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
  );
  // The atomic consume: one conditional UPDATE. Under READ COMMITTED a concurrent caller waits
  // for the winner's row lock, re-checks `consumed_at IS NULL` on the committed row, and updates nothing.
  const consume = db.prepare<[string, string], CodeRow>(`UPDATE ${t} SET consumed_at = $1 WHERE hash = $2 AND consumed_at IS NULL RETURNING ${COLUMNS.codes}`);
  const find = db.prepare<[string], CodeRow>(`SELECT ${COLUMNS.codes} FROM ${t} WHERE hash = $1`);
  const markReplayed = db.prepare<[string, string]>(`UPDATE ${t} SET replayed_at = $1 WHERE hash = $2 AND replayed_at IS NULL`);
  const purge = db.prepare<[string, number]>(purgeSql(t, 'hash', 'expires_at'));
  return {
    async save(c) {
      try {
        await insert.count(c.hash, c.clientId, c.userId, c.redirectUri, c.scopes, c.codeChallenge, c.codeChallengeMethod,
          c.grantId, iso(c.expiresAt), iso(c.createdAt), maybeIso(c.consumedAt), maybeIso(c.replayedAt));
      } catch (err) {
        mapWriteError(err, 'an authorization code with this hash already exists');
      }
    },
    async consume(hash, now) {
      const won = await consume.first(iso(now), hash);
      if (won) return { status: 'consumed', record: toCode(won) };
      // A separate statement, so it sees the winner's commit (and its consumed_at).
      const row = await find.first(hash);
      return row ? { status: 'already_consumed', record: toCode(row) } : { status: 'not_found' };
    },
    async find(hash) {
      const row = await find.first(hash);
      return row ? toCode(row) : null;
    },
    async markReplayed(hash, now) {
      await markReplayed.count(iso(now), hash);
    },
    deleteExpired: (now) => deleteInBatches(purge, now),
  };
}

export function refreshTokenTable(db: Database): RefreshTokenStore {
  const t = db.table('refresh_tokens');
  const insert = db.prepare<[string, string, string | null, string[], string, string, string, string | null]>(
    `INSERT INTO ${t} (hash, client_id, user_id, scopes, grant_id, expires_at, created_at, rotated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
  );
  const consume = db.prepare<[string, string, string], RefreshRow>(
    `UPDATE ${t} SET rotated_at = $1 WHERE hash = $2 AND client_id = $3 AND rotated_at IS NULL RETURNING ${COLUMNS.refreshTokens}`,
  );
  const find = db.prepare<[string], RefreshRow>(`SELECT ${COLUMNS.refreshTokens} FROM ${t} WHERE hash = $1`);
  const del = db.prepare<[string]>(`DELETE FROM ${t} WHERE hash = $1`);
  const delByGrant = db.prepare<[string]>(`DELETE FROM ${t} WHERE grant_id = $1`);
  const purge = db.prepare<[string, number]>(purgeSql(t, 'hash', 'expires_at'));
  return {
    async save(r) {
      try {
        await insert.count(r.hash, r.clientId, r.userId, r.scopes, r.grantId, iso(r.expiresAt), iso(r.createdAt), maybeIso(r.rotatedAt));
      } catch (err) {
        mapWriteError(err, 'a refresh token with this hash already exists');
      }
    },
    async find(hash) {
      const row = await find.first(hash);
      return row ? toRefresh(row) : null;
    },
    async consume(hash, clientId, now) {
      const won = await consume.first(iso(now), hash, clientId);
      if (won) return { status: 'consumed', record: toRefresh(won) };
      const row = await find.first(hash);
      // Another client's token: not_found, so the caller learns nothing about it.
      return row && row.client_id === clientId ? { status: 'already_consumed', record: toRefresh(row) } : { status: 'not_found' };
    },
    async delete(hash) {
      return (await del.count(hash)) > 0;
    },
    deleteByGrant: (grantId) => delByGrant.count(grantId),
    deleteExpired: (now) => deleteInBatches(purge, now),
  };
}
