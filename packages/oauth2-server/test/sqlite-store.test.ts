import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, SqliteStore } from '../src/sqlite/index.js';
import { MIGRATIONS } from '../src/sqlite/migrations.js';
import { OAuth2StoreError } from '../src/store-error.js';
import { basic, form, makeServer } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oauth2-sqlite-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SqliteStore', () => {
  it('keeps clients and tokens across close and reopen', async () => {
    const path = join(dir, 'auth.db');
    const first = makeServer({ store: new SqliteStore({ path }) });
    const { client, clientSecret } = await first.server.registerClient({ name: 'svc', grantTypes: ['client_credentials'], scopes: ['read'] });
    const res = await first.server.token(form('grant_type=client_credentials', { authorization: basic(client.id, clientSecret) }));
    expect(res.status).toBe(200);
    const accessToken = (res.body as { access_token: string }).access_token;
    await first.store.close();

    const second = makeServer({ store: new SqliteStore({ path }) });
    expect(await second.server.listClients()).toEqual([client]);
    expect(await second.server.validateToken(accessToken)).toMatchObject({ clientId: client.id, scopes: ['read'] });
    const again = await second.server.token(form('grant_type=client_credentials', { authorization: basic(client.id, clientSecret) }));
    expect(again.status).toBe(200);
    await second.store.close();
  });

  it('stores neither the client secret nor the access token in the clear', async () => {
    const path = join(dir, 'auth.db');
    const { server, store } = makeServer({ store: new SqliteStore({ path }) });
    const { client, clientSecret } = await server.registerClient({ name: 'svc', grantTypes: ['client_credentials'], scopes: ['read'] });
    const res = await server.token(form('grant_type=client_credentials', { authorization: basic(client.id, clientSecret) }));
    const accessToken = (res.body as { access_token: string }).access_token;
    await store.close();

    const db = new Database(path, { readonly: true });
    const clientRow = db.prepare('SELECT * FROM clients').get() as Record<string, unknown>;
    const tokenRow = db.prepare('SELECT * FROM access_tokens').get() as Record<string, unknown>;
    db.close();
    expect(clientRow['secret_hash']).toMatch(/^v1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(clientRow)).not.toContain(clientSecret);
    expect(JSON.stringify(tokenRow)).not.toContain(accessToken);
    expect(JSON.stringify(tokenRow)).not.toContain(accessToken.slice(5));
    // The file as a whole (WAL checkpointed on close) holds neither.
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(path).toString('latin1');
    expect(bytes).not.toContain(clientSecret);
    expect(bytes).not.toContain(accessToken);
  });

  it('opens in WAL mode and records the schema version in PRAGMA user_version', async () => {
    const path = join(dir, 'auth.db');
    const store = new SqliteStore({ path });
    await store.close();
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
  });

  it('refuses a database written by a newer schema version, with a clear error', async () => {
    const path = join(dir, 'future.db');
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    let err: unknown;
    try {
      new SqliteStore({ path });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OAuth2StoreError);
    expect((err as OAuth2StoreError).code).toBe('schema_too_new');
    expect((err as Error).message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
    expect((err as Error).message).toContain('upgrade');
  });

  it('migrates a fresh file once and reopens without re-running migrations', async () => {
    const path = join(dir, 'auth.db');
    await new SqliteStore({ path }).close();
    const again = new SqliteStore({ path });
    await expect(again.ping()).resolves.toBeUndefined();
    await again.close();
  });

  it('enforces foreign keys on every connection (a token row cannot outlive its client)', async () => {
    const path = join(dir, 'auth.db');
    const { server, store } = makeServer({ store: new SqliteStore({ path }) });
    const { client, clientSecret } = await server.registerClient({ name: 'svc', grantTypes: ['client_credentials'], scopes: ['read'] });
    await server.token(form('grant_type=client_credentials', { authorization: basic(client.id, clientSecret) }));
    expect(await server.deleteClient(client.id)).toBe(true);
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM access_tokens').get()).toEqual({ n: 0 });
    db.close();
  });

  it('group commit: inserts of one turn share a transaction; a bad row fails only its caller; a closed store rejects with "closed"', async () => {
    const store = new SqliteStore({ path: join(dir, 'auth.db') });
    await store.clients.create({ id: 'cl_1', name: 'c', secretHash: null, grantTypes: ['client_credentials'], scopes: ['read'], redirectUris: [], createdAt: new Date(0) });
    const token = (hash: string, clientId = 'cl_1') => ({ hash, clientId, userId: null, scopes: ['read'], expiresAt: new Date(9e12), createdAt: new Date(0), grantId: null });
    await store.accessTokens.save(token('dup'));
    const results = await Promise.allSettled([
      store.accessTokens.save(token('a')),
      store.accessTokens.save(token('dup')),
      store.accessTokens.save(token('b', 'cl_missing')),
      store.accessTokens.save(token('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(((results[1] as PromiseRejectedResult).reason as OAuth2StoreError).code).toBe('conflict');
    expect(((results[2] as PromiseRejectedResult).reason as OAuth2StoreError).code).toBe('unknown_client');
    expect(await store.accessTokens.find('a')).not.toBeNull();
    expect(await store.accessTokens.find('c')).not.toBeNull();
    expect(await store.accessTokens.find('b')).toBeNull();
    // Saved in the turn the store closes: rejected as closed, never a false success.
    const late = store.accessTokens.save(token('late'));
    await store.close();
    await expect(late).rejects.toMatchObject({ code: 'closed' });
  });

  it('rejects a missing path with a TypeError', () => {
    expect(() => new SqliteStore({ path: '' })).toThrow(TypeError);
  });

  it('upgrades a version-1 database in place: existing clients and tokens keep working', async () => {
    const path = join(dir, 'v1.db');
    const db = new Database(path);
    db.exec(MIGRATIONS[0]!);
    db.pragma('user_version = 1');
    db.prepare("INSERT INTO clients VALUES ('cl_old', 'old', NULL, '[\"client_credentials\"]', '[\"read\"]', '[]', 1)").run();
    db.prepare("INSERT INTO access_tokens VALUES ('h_old', 'cl_old', NULL, '[\"read\"]', 9999999999999, 1)").run();
    db.close();
    const store = new SqliteStore({ path });
    expect(await store.accessTokens.find('h_old')).toEqual({
      hash: 'h_old', clientId: 'cl_old', userId: null, scopes: ['read'], expiresAt: new Date(9999999999999), createdAt: new Date(1), grantId: null,
    });
    expect((await store.clients.get('cl_old'))?.name).toBe('old');
    await store.close();
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    check.close();
  });

  it('20 consumes of one code spread over 4 connections to one file: exactly one wins', async () => {
    const path = join(dir, 'shared.db');
    const stores = Array.from({ length: 4 }, () => new SqliteStore({ path }));
    const s0 = stores[0]!;
    await s0.clients.create({ id: 'cl', name: 'c', secretHash: null, grantTypes: [], scopes: [], redirectUris: [], createdAt: new Date(0) });
    await s0.authorizationCodes.save({
      hash: 'code', clientId: 'cl', userId: 'u', redirectUri: null, scopes: [], codeChallenge: null, codeChallengeMethod: null,
      grantId: 'g', expiresAt: new Date(10), createdAt: new Date(0), consumedAt: null, replayedAt: null,
    });
    await s0.refreshTokens.save({
      hash: 'rt', clientId: 'cl', userId: 'u', scopes: [], grantId: 'g', expiresAt: new Date(10), createdAt: new Date(0), rotatedAt: null,
    });
    const codes = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 4]!.authorizationCodes.consume('code', new Date(i))));
    const rts = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 4]!.refreshTokens.consume('rt', 'cl', new Date(i))));
    expect(codes.filter((r) => r.status === 'consumed')).toHaveLength(1);
    expect(rts.filter((r) => r.status === 'consumed')).toHaveLength(1);
    for (const s of stores) await s.close();
  });

  it('the whole code flow keeps no code, access token, refresh token or password in the clear on disk', async () => {
    const path = join(dir, 'flow.db');
    const { flowServer, getCode, tokenRequest, REDIRECT, VERIFIER, body } = await import('./flow-helpers.js');
    const { server, store, svcAuth } = await flowServer({ store: new SqliteStore({ path }) });
    await server.createUser({ username: 'alice', password: 'correct horse battery' });
    const code = await getCode(server);
    const res = await server.token(tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER }, svcAuth));
    const { access_token, refresh_token } = body(res) as { access_token: string; refresh_token: string };
    await store.close();
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(path).toString('latin1');
    for (const secret of [code, access_token, refresh_token, code.slice(5), access_token.slice(5), refresh_token.slice(5), 'correct horse battery']) {
      expect(bytes).not.toContain(secret);
    }
  });
});
