import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../src/postgres/index.js';
import { PURGE_BATCH } from '../src/postgres/database.js';
import { mapWriteError } from '../src/postgres/write-error.js';
import { OAuth2StoreError } from '../src/store-error.js';
import type { ClientRecord } from '../src/types.js';
import { PG_URL, schemaScope } from './postgres-helpers.js';

const schemas = schemaScope('behaviour');
const opened: PostgresStore[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});
afterAll(() => schemas.dropAll());

const open = async (schema = schemas.fresh(), count = 1): Promise<PostgresStore[]> => {
  const stores = await Promise.all(Array.from({ length: count }, () => PostgresStore.open({ connectionString: PG_URL, schema, max: 2 })));
  opened.push(...stores);
  return stores;
};
const client = (id = 'cl'): ClientRecord => ({
  id, name: 'c', secretHash: null, grantTypes: [], scopes: [], redirectUris: [], createdAt: new Date(0),
});

describe('PostgresStore', () => {
  it('RFC 6749 §4.1.2 / §10.4: 20 parallel consumes of one code and of one refresh token over 4 pools: exactly one consumed each', async () => {
    const stores = await open(schemas.fresh(), 4);
    const s0 = stores[0]!;
    await s0.clients.create(client());
    await s0.authorizationCodes.save({
      hash: 'code', clientId: 'cl', userId: 'u', redirectUri: null, scopes: [], codeChallenge: null, codeChallengeMethod: null,
      grantId: 'g', expiresAt: new Date(10), createdAt: new Date(0), consumedAt: null, replayedAt: null,
    });
    await s0.refreshTokens.save({ hash: 'rt', clientId: 'cl', userId: 'u', scopes: [], grantId: 'g', expiresAt: new Date(10), createdAt: new Date(0), rotatedAt: null });
    const codes = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 4]!.authorizationCodes.consume('code', new Date(1000 + i))));
    const rts = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 4]!.refreshTokens.consume('rt', 'cl', new Date(1000 + i))));
    for (const results of [codes, rts]) {
      expect(results.filter((r) => r.status === 'consumed')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'already_consumed')).toHaveLength(19);
    }
    // Every loser sees the winner's instant.
    const won = codes.find((r) => r.status === 'consumed') as { record: { consumedAt: Date } };
    for (const r of codes) if (r.status === 'already_consumed') expect(r.record.consumedAt).toEqual(won.record.consumedAt);
  });

  it('maps SQLSTATE 23505 to "conflict" and 23503 to "unknown_client", keeping the pg error as cause; others pass through', async () => {
    const [store] = await open();
    await store!.clients.create(client());
    const dup = await store!.clients.create(client()).catch((e: unknown) => e);
    expect(dup).toMatchObject({ code: 'conflict' });
    expect((dup as OAuth2StoreError).cause).toMatchObject({ code: '23505' });
    const fk = await store!.consents.save({ userId: 'u', clientId: 'missing', scopes: [], updatedAt: new Date(0) }).catch((e: unknown) => e);
    expect(fk).toMatchObject({ code: 'unknown_client' });
    expect((fk as OAuth2StoreError).cause).toMatchObject({ code: '23503' });
    const other = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    expect(() => mapWriteError(other, 'x')).toThrow(other);
  });

  it('a constraint error (a taken username) keeps its connection: no reconnect, no lost prepared statements', async () => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
    let connects = 0;
    pool.on('connect', () => connects++);
    const store = await PostgresStore.open({ pool, schema: schemas.fresh() });
    await store.users.create({ id: 'u1', username: 'alice', passwordHash: 'x', createdAt: new Date(0) });
    const before = connects;
    for (let i = 2; i < 7; i++) {
      await expect(store.users.create({ id: `u${i}`, username: 'alice', passwordHash: 'x', createdAt: new Date(0) })).rejects.toMatchObject({ code: 'conflict' });
    }
    expect(await store.users.findByUsername('alice')).toMatchObject({ id: 'u1' });
    expect(connects - before).toBe(0);
    await store.close();
    await pool.end();
  });

  it(`deleteExpired deletes in batches of ${PURGE_BATCH} and counts every row`, async () => {
    const schema = schemas.fresh();
    const [store] = await open(schema);
    await store!.clients.create(client());
    const n = PURGE_BATCH * 2 + 17;
    const sql = new pg.Client({ connectionString: PG_URL });
    await sql.connect();
    await sql.query(
      `INSERT INTO "${schema}".access_tokens (hash, client_id, scopes, expires_at, created_at)
       SELECT 'h' || i, 'cl', '{}', to_timestamp(i), to_timestamp(0) FROM generate_series(1, $1) AS i`, [n + 5],
    );
    expect(await store!.accessTokens.deleteExpired(new Date(n * 1000))).toBe(n);
    const left = await sql.query(`SELECT count(*)::int AS n FROM "${schema}".access_tokens`);
    await sql.end();
    expect(left.rows[0].n).toBe(5);
  });

  it('deleteExpired does not wait for a row a request holds locked: it skips it for the next purge', async () => {
    const schema = schemas.fresh();
    const [store] = await open(schema);
    await store!.clients.create(client());
    const token = (hash: string) => ({ hash, clientId: 'cl', userId: null, scopes: [], expiresAt: new Date(1), createdAt: new Date(0), grantId: null });
    await store!.accessTokens.save(token('busy'));
    await store!.accessTokens.save(token('idle'));
    const locker = new pg.Client({ connectionString: PG_URL });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`SELECT 1 FROM "${schema}".access_tokens WHERE hash = 'busy' FOR UPDATE`);
      expect(await store!.accessTokens.deleteExpired(new Date(1))).toBe(1);
      await locker.query('ROLLBACK');
    } finally {
      await locker.end();
    }
    expect(await store!.accessTokens.deleteExpired(new Date(1))).toBe(1);
  });

  it("close() leaves a caller's pool open, and every later call rejects with \"closed\"", async () => {
    const schema = schemas.fresh();
    const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    const store = await PostgresStore.open({ pool, schema });
    expect(pool.listenerCount('error')).toBe(1);
    await store.close();
    await store.close();
    expect(pool.listenerCount('error')).toBe(0);
    await expect(store.accessTokens.save({
      hash: 'h', clientId: 'cl', userId: null, scopes: [], expiresAt: new Date(0), createdAt: new Date(0), grantId: null,
    })).rejects.toMatchObject({ code: 'closed' });
    await expect(pool.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
    await pool.end();
  });

  it('close() lets calls already started finish (none hangs on the ending pool), then refuses new ones', async () => {
    const [store] = await open();
    // More calls than pool connections: most are queued for a connection when close() starts.
    const inFlight = Array.from({ length: 20 }, () => store!.clients.list());
    const started = Date.now();
    await store!.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await Promise.allSettled(inFlight)).map((r) => r.status)).toEqual(Array(20).fill('fulfilled'));
    await expect(store!.clients.list()).rejects.toMatchObject({ code: 'closed' });
  });

  it('a column added by a newer release (rolling deploy) does not break the prepared statements of a running store', async () => {
    const schema = schemas.fresh();
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
    const store = await PostgresStore.open({ pool, schema });
    const [c, u] = [client(), { id: 'u', username: 'u', passwordHash: 'x', createdAt: new Date(0) }];
    const code = {
      hash: 'code', clientId: 'cl', userId: 'u', redirectUri: null, scopes: [], codeChallenge: null, codeChallengeMethod: null,
      grantId: 'g', expiresAt: new Date(10), createdAt: new Date(0), consumedAt: null, replayedAt: null,
    };
    const reads = () => Promise.all([
      store.clients.get('cl'), store.clients.list(), store.accessTokens.find('h'), store.authorizationCodes.find('code'),
      store.refreshTokens.find('rt'), store.users.get('u'), store.users.findByUsername('u'), store.users.list(),
      store.consents.get('u', 'cl'), store.signingKeys.list(),
    ]);
    await store.clients.create(c);
    await store.users.create(u);
    await store.authorizationCodes.save(code);
    await reads();
    const other = new pg.Client({ connectionString: PG_URL });
    await other.connect();
    for (const t of ['clients', 'access_tokens', 'authorization_codes', 'refresh_tokens', 'users', 'consents', 'signing_keys']) {
      await other.query(`ALTER TABLE "${schema}".${t} ADD COLUMN added_later text`);
    }
    await other.end();
    const [got] = await reads();
    expect(got).toEqual(c);
    expect(await store.authorizationCodes.consume('code', new Date(5))).toMatchObject({ status: 'consumed' });
    await store.close();
    await pool.end();
  });

  it('keeps instants exact to the millisecond whatever the session time zone, and lists with byte order', async () => {
    const schema = schemas.fresh();
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1, options: '-c TimeZone=Pacific/Chatham' });
    const store = await PostgresStore.open({ pool, schema });
    const at = new Date(Date.UTC(2031, 2, 30, 13, 59, 59, 999));
    for (const id of ['cl_b', 'cl_B', 'cl_ä', 'cl_a']) await store.clients.create({ ...client(id), createdAt: at });
    const list = await store.clients.list();
    expect(list.map((c) => c.id)).toEqual(['cl_B', 'cl_a', 'cl_b', 'cl_ä']);
    expect(list[0]!.createdAt.getTime()).toBe(at.getTime());
    await store.close();
    await pool.end();
  });
});
