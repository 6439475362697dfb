import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { OAuth2Server } from '../src/oauth2-server.js';
import { PostgresStore } from '../src/postgres/index.js';
import { SqliteStore } from '../src/sqlite/index.js';
import type { OAuth2Store } from '../src/store.js';
import type { EndpointResponse } from '../src/types.js';
import { body, flowServer, svcTokens, tokenRequest } from './flow-helpers.js';
import { PG_URL, schemaScope } from './postgres-helpers.js';

const ROUNDS = 20;
const dirs: string[] = [];
const stores: OAuth2Store[] = [];
const schemas = schemaScope('races');
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
afterAll(() => schemas.dropAll());

const backends = {
  MemoryStore: async (over = {}) => flowServer(over),
  SqliteStore: async (over = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'oauth2-races-'));
    dirs.push(dir);
    const store = new SqliteStore({ path: join(dir, 'auth.db') });
    stores.push(store);
    return flowServer({ ...over, store });
  },
  PostgresStore: async (over = {}) => {
    const store = await PostgresStore.open({ connectionString: PG_URL, schema: schemas.fresh(), max: 4 });
    stores.push(store);
    return flowServer({ ...over, store });
  },
};

const refresh = (server: OAuth2Server, auth: string, token: string) =>
  server.token(tokenRequest({ grant_type: 'refresh_token', refresh_token: token }, auth));

/** Every token a 200 handed out is dead: nothing issued outlives a revocation of its family. */
async function expectAllDead(server: OAuth2Server, responses: EndpointResponse[]): Promise<void> {
  for (const r of responses.filter((x) => x.status === 200)) {
    expect(await server.validateToken(body(r).access_token!)).toBeNull();
    expect(await server.introspect(body(r).refresh_token!)).toEqual({ active: false });
  }
}

describe.each(Object.entries(backends))('concurrent use of one refresh token on %s', (_name, make) => {
  it(`RFC 9700 §4.14.2: two parallel refreshes, ${ROUNDS} rounds: one 200, one invalid_grant, and no token issued survives`, async () => {
    const { server, svcAuth } = await make();
    for (let round = 0; round < ROUNDS; round++) {
      const { refresh: token, access } = await svcTokens(server, svcAuth);
      const results = await Promise.all([refresh(server, svcAuth, token), refresh(server, svcAuth, token)]);
      // The loser always fails; the winner fails too when the loser's revocation got in first.
      expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
      for (const r of results.filter((x) => x.status !== 200)) expect([r.status, body(r).error]).toEqual([400, 'invalid_grant']);
      expect(await server.validateToken(access)).toBeNull();
      await expectAllDead(server, results);
    }
  });

  it(`RFC 7009 §2.1: revoking a refresh token while it is being refreshed, ${ROUNDS} rounds: the revocation wins over anything the refresh issued`, async () => {
    const { server, svcAuth } = await make();
    for (let round = 0; round < ROUNDS; round++) {
      const { refresh: token } = await svcTokens(server, svcAuth);
      const [refreshed, revoked] = await Promise.all([
        refresh(server, svcAuth, token),
        server.revocation(tokenRequest({ token, token_type_hint: 'refresh_token' }, svcAuth)),
      ]);
      expect(revoked.status).toBe(200);
      expect([200, 400]).toContain(refreshed.status);
      if (refreshed.status === 400) expect(body(refreshed).error).toBe('invalid_grant');
      await expectAllDead(server, [refreshed]);
    }
  });

  it(`grace window: two parallel refreshes both succeed and both results stay valid (${ROUNDS} rounds)`, async () => {
    const { server, svcAuth } = await make({ refreshTokenGracePeriod: 10 });
    for (let round = 0; round < ROUNDS; round++) {
      const { refresh: token } = await svcTokens(server, svcAuth);
      const results = await Promise.all([refresh(server, svcAuth, token), refresh(server, svcAuth, token)]);
      expect(results.map((r) => r.status)).toEqual([200, 200]);
      for (const r of results) {
        expect(await server.validateToken(body(r).access_token!)).not.toBeNull();
        expect(await server.introspect(body(r).refresh_token!)).toMatchObject({ active: true });
      }
    }
  });
});
