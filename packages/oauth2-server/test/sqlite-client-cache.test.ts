import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/sqlite/index.js';
import { basic, form, makeServer } from './helpers.js';

// The SQLite store keeps client records in memory (every token request looks one up); these
// tests hold it to the table: a deleted client stops authenticating at once.

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oauth2-client-cache-'));
  path = join(dir, 'auth.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const clientCredentials = (auth: string) => form('grant_type=client_credentials', { authorization: auth });

async function serverWithClient(store: SqliteStore) {
  const { server } = makeServer({ store });
  const { client, clientSecret } = await server.registerClient({ name: 'svc', grantTypes: ['client_credentials'], scopes: ['read'] });
  const auth = basic(client.id, clientSecret);
  expect((await server.token(clientCredentials(auth))).status).toBe(200);
  return { server, client, auth };
}

describe('SqliteStore client cache', () => {
  it('a client deleted through this server fails the very next token request with invalid_client', async () => {
    const store = new SqliteStore({ path });
    const { server, client, auth } = await serverWithClient(store);
    expect(await server.deleteClient(client.id)).toBe(true);
    const res = await server.token(clientCredentials(auth));
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'invalid_client' });
    await store.close();
  });

  it('a client deleted through another connection to the file fails from the next event-loop turn', async () => {
    const store = new SqliteStore({ path });
    const other = new SqliteStore({ path });
    const { server, client, auth } = await serverWithClient(store);
    expect(await other.clients.delete(client.id)).toBe(true);
    await nextTurn();
    expect(await store.clients.get(client.id)).toBeNull();
    expect((await server.token(clientCredentials(auth))).status).toBe(401);
    await other.close();
    await store.close();
  });

  it('a client deleted by another process (as `tsforge client delete` does) fails from the next event-loop turn', async () => {
    const store = new SqliteStore({ path });
    const { server, client, auth } = await serverWithClient(store);
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    const script = `const db = require(${JSON.stringify(sqlite)})(process.argv[1]); db.pragma('foreign_keys = ON');
      if (db.prepare('DELETE FROM clients WHERE id = ?').run(process.argv[2]).changes !== 1) process.exit(1);`;
    execFileSync(process.execPath, ['-e', script, path, client.id]);
    await nextTurn();
    const res = await server.token(clientCredentials(auth));
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'invalid_client' });
    await store.close();
  });

  it('an unknown client id is not remembered: the client created afterwards through the same store authenticates', async () => {
    const { server: registrar, store: scratch } = makeServer();
    const { client, clientSecret } = await registrar.registerClient({ name: 'late', grantTypes: ['client_credentials'], scopes: ['read'] });
    const store = new SqliteStore({ path });
    const { server } = makeServer({ store });
    const auth = basic(client.id, clientSecret);
    expect((await server.token(clientCredentials(auth))).status).toBe(401);
    await store.clients.create((await scratch.clients.get(client.id))!);
    expect((await server.token(clientCredentials(auth))).status).toBe(200);
    await store.close();
  });
});
