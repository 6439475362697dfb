import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OAuth2Server } from '../src/oauth2-server.js';
import { SqliteStore } from '../src/sqlite/index.js';
import { ISSUER, SECRET_KEY } from './helpers.js';
import { body, flowServer, getCode, REDIRECT, svcTokens, tokenRequest, VERIFIER } from './flow-helpers.js';

let dir: string;
const stores: SqliteStore[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oauth2-flows-'));
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Two authorization servers on two connections to one SQLite file: two processes behind a load balancer. */
async function twoServers() {
  const path = join(dir, 'auth.db');
  const first = await flowServer({ store: new SqliteStore({ path }) });
  const store2 = new SqliteStore({ path });
  stores.push(first.store as SqliteStore, store2);
  const second = new OAuth2Server({ store: store2, issuer: ISSUER, secretKey: SECRET_KEY, scopesSupported: ['read', 'write', 'admin'], clock: first.clock.read });
  return { ...first, servers: [first.server, second] };
}

describe('flows on SQLite, two server instances sharing the file', () => {
  it('20 concurrent redemptions of one code across both: exactly one 200, and the replays revoke its tokens', async () => {
    const { servers, svcAuth } = await twoServers();
    const code = await getCode(servers[0]!);
    const params = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER };
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => servers[i % 2]!.token(tokenRequest(params, svcAuth))));
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => body(r).error === 'invalid_grant')).toHaveLength(19);
    expect(await servers[1]!.introspect(body(winners[0]!).access_token!)).toEqual({ active: false });
  });

  it('RFC 9700 §4.14.2: 20 concurrent refreshes of one token across both: at most one 200, and the reuses revoke its tokens', async () => {
    const { servers, svcAuth } = await twoServers();
    const { refresh } = await svcTokens(servers[0]!, svcAuth);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => servers[i % 2]!.token(tokenRequest({ grant_type: 'refresh_token', refresh_token: refresh }, svcAuth))));
    const winners = results.filter((r) => r.status === 200);
    expect(winners.length).toBeLessThanOrEqual(1);
    expect(results.filter((r) => body(r).error === 'invalid_grant')).toHaveLength(20 - winners.length);
    for (const w of winners) expect(await servers[1]!.validateToken(body(w).access_token!)).toBeNull();
  });

  it('a token issued by one instance is validated, introspected and revoked by the other', async () => {
    const { servers, svcAuth } = await twoServers();
    const { access, refresh } = await svcTokens(servers[0]!, svcAuth);
    expect(await servers[1]!.validateToken(access)).toMatchObject({ clientId: 'svc' });
    expect((await servers[1]!.revocation(tokenRequest({ token: refresh }, svcAuth))).status).toBe(200);
    expect(await servers[0]!.validateToken(access)).toBeNull();
  });
});
