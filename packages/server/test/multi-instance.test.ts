import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, getToken, removeDir, runCli, startTsforge, tempDataDir, type Client, type RunningTsforge } from './support/tsforge.js';
import { codeThroughPages, pkcePair } from './support/authorize-flow.js';
import { describeSwift, swiftForSuite } from './support/swift.js';
import { postgresForSuite, redisForSuite, sharedSecretFile } from './support/backing-services.js';

/**
 * Two `tsforge serve` processes on one PostgreSQL, one Redis and one S3 store, as behind a load
 * balancer: whatever one instance does, the other must see on the very next request.
 */
describeSwift('two instances on PostgreSQL + Redis + S3', () => {
  const swift = swiftForSuite('multi-instance');
  const postgres = postgresForSuite();
  const redis = redisForSuite(11);
  const TOKEN_RATE_LIMIT = 40;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let a: RunningTsforge;
  let b: RunningTsforge;

  beforeAll(async () => {
    dir = tempDataDir();
    env = {
      ...swift.env(),
      DATABASE_URL: postgres.url(),
      REDIS_URL: redis.url,
      TSFORGE_TOKEN_CACHE_TTL_MS: '30000',
      TSFORGE_SECRET_FILE: sharedSecretFile(dir),
      // One public name for both, as behind a balancer: it is in tokens and the metadata.
      TSFORGE_ISSUER: 'http://tsforge.test',
      TSFORGE_TOKEN_RATE_LIMIT: String(TOKEN_RATE_LIMIT),
    };
    // Started together: both migrate the empty database at once (an advisory lock orders them).
    [a, b] = await Promise.all([startTsforge({ dataDir: `${dir}/a`, env }), startTsforge({ dataDir: `${dir}/b`, env })]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    removeDir(dir);
  });

  const cli = async (args: string[], stdin?: string): Promise<Record<string, unknown>> => {
    const result = await runCli([...args, '--json'], { dataDir: `${dir}/cli`, env, ...(stdin ? { stdin } : {}) });
    if (result.code !== 0) throw new Error(`tsforge ${args.join(' ')} failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };
  const serviceClient = async (): Promise<Client> =>
    (await cli(['client', 'create', '--name', 'svc', '--grant', 'client_credentials', '--scope', 'files:read files:write'])) as unknown as Client;
  const listFiles = (server: RunningTsforge, token: string) =>
    fetch(`${server.url}/api/files?limit=1`, { headers: { authorization: `Bearer ${token}` } });
  /** A client-authenticated form POST to /oauth/token, /oauth/revoke or /oauth/introspect. */
  const post = (server: RunningTsforge, endpoint: string, client: Client, form: Record<string, string>) =>
    fetch(`${server.url}/oauth/${endpoint}`, {
      method: 'POST',
      headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
  const tokenRequest = (server: RunningTsforge, client: Client, form: Record<string, string>) => post(server, 'token', client, form);

  it('both report ready with database, storage and redis checked', async () => {
    for (const server of [a, b]) {
      const response = await fetch(`${server.url}/ready`);
      expect(await response.json()).toEqual({ status: 'ready', checks: { database: 'ok', storage: 'ok', redis: 'ok' } });
    }
  });

  it('a token issued by A validates on B, by the bearer check and by introspection (RFC 7662 §2.2)', async () => {
    const client = await serviceClient();
    const token = await getToken(a.url, client, 'files:read');
    expect((await listFiles(b, token)).status).toBe(200);
    const introspection = await post(b, 'introspect', client, { token });
    expect(await introspection.json()).toMatchObject({ active: true, client_id: client.client_id, scope: 'files:read', iss: 'http://tsforge.test' });
  });

  it('a file uploaded through A downloads through B, byte for byte', async () => {
    const client = await serviceClient();
    const token = await getToken(a.url, client);
    const bytes = randomBytes(300_000);
    const put = await fetch(`${a.url}/api/files/shared/report.bin`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: bytes });
    expect(put.status).toBe(201);
    const get = await fetch(`${b.url}/api/files/shared/report.bin`, { headers: { authorization: `Bearer ${token}` } });
    expect(get.status).toBe(200);
    expect(Buffer.from(await get.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('RFC 7009 §2.1: a token revoked on A is refused by B on the very next request, though B had it cached', async () => {
    const client = await serviceClient();
    const token = await getToken(a.url, client);
    // B looks it up twice: the second answer comes from the Redis cache (TTL 30 s).
    expect((await listFiles(b, token)).status).toBe(200);
    expect((await listFiles(b, token)).status).toBe(200);
    const revoke = await post(a, 'revoke', client, { token });
    expect(revoke.status).toBe(200);
    expect((await listFiles(b, token)).status).toBe(401);
    expect((await listFiles(a, token)).status).toBe(401);
  });

  it('a token revoked with the CLI is refused by both at once (the CLI clears the cache too)', async () => {
    const client = await serviceClient();
    const token = await getToken(a.url, client);
    expect((await listFiles(a, token)).status).toBe(200);
    expect((await listFiles(b, token)).status).toBe(200);
    await cli(['token', 'revoke', token]);
    expect((await listFiles(a, token)).status).toBe(401);
    expect((await listFiles(b, token)).status).toBe(401);
  });

  describe('authorization code and refresh token across instances', () => {
    const redirectUri = 'https://app.example/callback';
    let app: { client_id: string; client_secret: string };
    const password = 'correct horse battery staple';

    beforeAll(async () => {
      app = (await cli(['client', 'create', '--name', 'App', '--grant', 'authorization_code', '--grant', 'refresh_token', '--redirect-uri', redirectUri, '--scope', 'files:read files:write'])) as { client_id: string; client_secret: string };
      await cli(['user', 'create', '--username', 'alice'], password);
    });
    const exchange = (server: RunningTsforge, form: Record<string, string>) => tokenRequest(server, app, form);

    it('RFC 6749 §4.1.2: a code redeemed on A cannot be redeemed on B, and B\'s attempt revokes what A issued', async () => {
      const pkce = pkcePair();
      const { code } = await codeThroughPages({ base: a.url, clientId: app.client_id, redirectUri, challenge: pkce.challenge, username: 'alice', password });
      const form = { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: pkce.verifier };
      const first = await exchange(a, form);
      expect(first.status).toBe(200);
      const tokens = (await first.json()) as { access_token: string };
      const second = await exchange(b, form);
      expect(second.status).toBe(400);
      expect(await second.json()).toMatchObject({ error: 'invalid_grant' });
      // "SHOULD revoke (when possible) all tokens previously issued based on that authorization code"
      expect((await listFiles(a, tokens.access_token)).status).toBe(401);
      expect((await listFiles(b, tokens.access_token)).status).toBe(401);
    });

    it('RFC 9700 §4.14.2: a refresh token rotated on A and replayed on B revokes the whole family on both', async () => {
      const pkce = pkcePair();
      const { code } = await codeThroughPages({ base: b.url, clientId: app.client_id, redirectUri, challenge: pkce.challenge, username: 'alice', password });
      const issued = (await (await exchange(b, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: pkce.verifier })).json()) as { refresh_token: string };
      const rotated = await exchange(a, { grant_type: 'refresh_token', refresh_token: issued.refresh_token });
      expect(rotated.status).toBe(200);
      const fresh = (await rotated.json()) as { access_token: string; refresh_token: string };
      expect((await listFiles(b, fresh.access_token)).status).toBe(200); // cached on B now
      const replay = await exchange(b, { grant_type: 'refresh_token', refresh_token: issued.refresh_token });
      expect(replay.status).toBe(400);
      expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
      expect((await listFiles(b, fresh.access_token)).status).toBe(401);
      expect((await listFiles(a, fresh.access_token)).status).toBe(401);
      expect((await exchange(a, { grant_type: 'refresh_token', refresh_token: fresh.refresh_token })).status).toBe(400);
    });
  });

  it('the token endpoint\'s rate limit counts requests on both instances together', async () => {
    const client = await serviceClient();
    const statuses: number[] = [];
    for (let i = 0; i < TOKEN_RATE_LIMIT + 4; i++) statuses.push((await tokenRequest(i % 2 ? b : a, client, { grant_type: 'client_credentials' })).status);
    // Alone, each instance would have allowed all of its ~22.
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(TOKEN_RATE_LIMIT);
    expect(statuses.slice(-2)).toEqual([429, 429]);
  });
});
