import { createServer, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePostgres, PostgresStore } from '../src/postgres/index.js';
import type { ClientRecord } from '../src/types.js';
import { freePort, PG_URL, schemaScope, startThrowawayPostgres, type ThrowawayPostgres } from './postgres-helpers.js';

const client: ClientRecord = { id: 'cl', name: 'c', secretHash: null, grantTypes: [], scopes: [], redirectUris: [], createdAt: new Date(0) };

/** TCP sockets of this process still open (node-postgres's, here). */
const openSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

/** Settles `p` and reports how long it took. */
async function timed(p: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = Date.now();
  const error = await p.then(() => undefined, (e: unknown) => e);
  return { ms: Date.now() - started, error };
}

describe('PostgresStore when PostgreSQL goes away', () => {
  let server: ThrowawayPostgres;
  beforeAll(async () => {
    server = await startThrowawayPostgres();
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it('rejects fast with ordinary Errors while the server is down, and recovers by itself when it is back', async () => {
    const idleErrors: Error[] = [];
    const store = await PostgresStore.open({
      connectionString: server.url, max: 3, connectTimeoutMs: 1000, statementTimeoutMs: 2000, onError: (e) => idleErrors.push(e),
    });
    try {
      await store.clients.create(client);
      // Fill the pool with idle connections, which the shutdown will break.
      await Promise.all([store.ping(), store.ping(), store.ping()]);

      await server.stop();
      for (const call of [store.ping(), store.clients.get('cl'), store.accessTokens.find('h'), store.refreshTokens.consume('h', 'cl', new Date())]) {
        const { ms, error } = await timed(call);
        expect(error).toBeInstanceOf(Error);
        expect(ms).toBeLessThan(3000);
      }
      // The broken idle connections were reported, not thrown (an unhandled 'error' would crash this worker).
      expect(idleErrors.length).toBeGreaterThan(0);

      await server.start();
      await expect(store.ping()).resolves.toBeUndefined();
      expect(await store.clients.get('cl')).toEqual(client);
    } finally {
      await store.close();
    }
  });

  it('close() lets go of every socket within connectTimeoutMs when the server hangs (its goodbye is never answered)', async () => {
    const before = openSockets();
    const store = await PostgresStore.open({ connectionString: server.url, max: 3, connectTimeoutMs: 1000 });
    await Promise.all([store.ping(), store.ping(), store.ping()]);
    expect(openSockets()).toBeGreaterThan(before);
    await server.freeze();
    try {
      const { ms, error } = await timed(store.close());
      expect(error).toBeUndefined();
      expect(ms).toBeLessThan(2000);
      // An open socket keeps the process alive: `tsforge serve` would not exit after SIGTERM.
      expect(openSockets()).toBe(before);
    } finally {
      await server.thaw();
    }
  });

  it('open() and migratePostgres() reject within connectTimeoutMs when nothing answers (a black-holed server)', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    try {
      const { ms, error } = await timed(PostgresStore.open({ connectionString: `postgres://postgres@127.0.0.1:${port}/x`, connectTimeoutMs: 500 }));
      expect(error).toBeInstanceOf(Error);
      expect(ms).toBeLessThan(2000);
      // migratePostgres (`tsforge migrate` in a deploy step) too, by default and when told.
      for (const o of [{}, { connectTimeoutMs: 500 }]) {
        const migrated = await timed(migratePostgres({ connectionString: `postgres://postgres@127.0.0.1:${port}/x`, ...o }));
        expect(migrated.error).toBeInstanceOf(Error);
        expect(migrated.ms).toBeLessThan('connectTimeoutMs' in o ? 2000 : 5000);
      }
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('PostgresStore statement timeout', () => {
  const schemas = schemaScope('timeout');
  afterAll(() => schemas.dropAll());

  it('a statement blocked by a lock fails after statementTimeoutMs instead of hanging the request', async () => {
    const schema = schemas.fresh();
    const store = await PostgresStore.open({ connectionString: PG_URL, schema, statementTimeoutMs: 300 });
    const locker = new pg.Client({ connectionString: PG_URL });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${schema}".access_tokens IN ACCESS EXCLUSIVE MODE`);
      const { ms, error } = await timed(store.accessTokens.find('h'));
      expect(error).toMatchObject({ code: '57014' }); // query_canceled
      expect(ms).toBeLessThan(2000);
      await locker.query('ROLLBACK');
      expect(await store.accessTokens.find('h')).toBeNull();
    } finally {
      await locker.end();
      await store.close();
    }
  });
});
