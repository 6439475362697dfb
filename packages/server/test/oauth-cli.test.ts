import { freePort } from '@tsforge/oauth2-server/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDataDir, withTsforge } from './support/tsforge.js';
import { codeThroughPages, createAppClient, exchangeCode, pkcePair } from './support/authorize-flow.js';

describe('tsforge user, client --public/--redirect-uri, token revoke, keys (the real CLI)', () => {
  const dataDir = tempDataDir();
  afterAll(() => removeDir(dataDir));

  it('user create reads the password from stdin (one trailing newline dropped); list and delete', async () => {
    const created = await runCli(['user', 'create', '--username', 'grace', '--json'], { dataDir, stdin: 'a long password\n' });
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const { user_id, username } = JSON.parse(created.stdout) as { user_id: string; username: string };
    expect(username).toBe('grace');
    const list = await runCli(['user', 'list', '--json'], { dataDir });
    expect((JSON.parse(list.stdout) as { username: string }[]).map((u) => u.username)).toEqual(['grace']);
    expect(list.stdout).not.toContain('scrypt');
    expect(await runCli(['user', 'delete', user_id], { dataDir })).toMatchObject({ code: 0, stdout: `deleted ${user_id}\n` });
    expect(await runCli(['user', 'delete', user_id], { dataDir })).toMatchObject({ code: 1, stderr: `tsforge: no user with id "${user_id}"\n` });
  });

  it('a deletion made while the Redis token cache is unreachable says that other instances may still accept its tokens, and for how long', async () => {
    const created = await runCli(['client', 'create', '--name', 'gone', '--grant', 'client_credentials', '--scope', 'files:read', '--json'], { dataDir });
    const { client_id } = JSON.parse(created.stdout) as { client_id: string };
    const env = { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, TSFORGE_TOKEN_CACHE_TTL_MS: '30000' };
    const deleted = await runCli(['client', 'delete', client_id], { dataDir, env });
    expect(deleted).toMatchObject({ code: 0, stdout: `deleted ${client_id}\n` });
    expect(deleted.stderr).toContain('redis unavailable: the token cache was not cleared of what was revoked');
    expect(deleted.stderr).toContain('instances that still reach Redis may accept those tokens for up to 30000 ms');
  });

  it('a REDIS_URL database the Redis does not have is refused (ioredis would go on in database 0), and the command says so', async () => {
    const created = await runCli(['client', 'create', '--name', 'gone', '--grant', 'client_credentials', '--scope', 'files:read', '--json'], { dataDir });
    const { client_id } = JSON.parse(created.stdout) as { client_id: string };
    const env = { REDIS_URL: 'redis://127.0.0.1:6379/99', TSFORGE_TOKEN_CACHE_TTL_MS: '30000' };
    const deleted = await runCli(['client', 'delete', client_id], { dataDir, env });
    expect(deleted).toMatchObject({ code: 0, stdout: `deleted ${client_id}\n` });
    expect(deleted.stderr).toContain('REDIS_URL names a database this Redis does not have: serving without Redis');
    expect(deleted.stderr).toContain('the token cache was not cleared of what was revoked');
  });

  it('user create refuses a short password and a duplicate username with a clear message (exit 2)', async () => {
    expect(await runCli(['user', 'create', '--username', 'bob'], { dataDir, stdin: 'short' })).toMatchObject({
      code: 2, stderr: 'tsforge: password must be 8 to 1024 characters\n',
    });
    await runCli(['user', 'create', '--username', 'bob'], { dataDir, stdin: 'long enough pw' });
    expect(await runCli(['user', 'create', '--username', 'bob'], { dataDir, stdin: 'long enough pw' })).toMatchObject({
      code: 2, stderr: 'tsforge: a user with this username already exists\n',
    });
    expect((await runCli(['user', 'create'], { dataDir })).code).toBe(2);
    // Nothing piped in says so, rather than calling an empty password short.
    const empty = await runCli(['user', 'create', '--username', 'carol'], { dataDir, stdin: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^tsforge: no password on stdin/);
  });

  it('client create --grant authorization_code --redirect-uri (repeatable) --public: no secret, refresh_token implied', async () => {
    const created = await runCli(['client', 'create', '--name', 'SPA', '--grant', 'authorization_code', '--redirect-uri', 'https://app.test/cb',
      '--redirect-uri', 'http://127.0.0.1/cb', '--scope', 'files:read', '--public', '--json'], { dataDir });
    expect(created.code).toBe(0);
    const { client_id, client_secret } = JSON.parse(created.stdout) as { client_id: string; client_secret: null };
    expect(client_secret).toBeNull();
    const list = JSON.parse((await runCli(['client', 'list', '--json'], { dataDir })).stdout) as Record<string, unknown>[];
    expect(list.find((c) => c.client_id === client_id)).toMatchObject({
      grant_types: ['authorization_code', 'refresh_token'], redirect_uris: ['https://app.test/cb', 'http://127.0.0.1/cb'], public: true,
    });
    // authorization_code without a redirect URI is refused by the core, with its reason.
    expect(await runCli(['client', 'create', '--name', 'x', '--grant', 'authorization_code', '--scope', 'files:read'], { dataDir })).toMatchObject({ code: 2 });
  });

  it('keys rotate adds a signing key and keeps the previous one published; keys list shows both', async () => {
    const first = JSON.parse((await runCli(['keys', 'rotate', '--json'], { dataDir })).stdout) as { kid: string; alg: string };
    const second = JSON.parse((await runCli(['keys', 'rotate', '--json'], { dataDir })).stdout) as { kid: string };
    expect(first.alg).toBe('ES256');
    const keys = JSON.parse((await runCli(['keys', 'list', '--json'], { dataDir })).stdout) as { kid: string; retired_at: string | null; publish_until: string | null }[];
    const byKid = new Map(keys.map((k) => [k.kid, k]));
    expect(byKid.get(first.kid)?.retired_at).not.toBeNull();
    expect(byKid.get(first.kid)?.publish_until).not.toBeNull();
    expect(byKid.get(second.kid)?.retired_at).toBeNull();
  });

  it('token revoke TOKEN revokes a live refresh token and its access tokens; user delete revokes the rest', async () => {
    const dir = tempDataDir();
    try {
      await runCli(['user', 'create', '--username', 'ada'], { dataDir: dir, stdin: 'correct horse battery' });
      const app = await createAppClient(dir, { redirectUri: 'http://127.0.0.1/cb', public: true });
      await withTsforge({ dataDir: dir }, async (server) => {
        const issue = async () => {
          const { verifier, challenge } = pkcePair();
          const { code } = await codeThroughPages({ base: server.url, clientId: app.client_id, redirectUri: 'http://127.0.0.1/cb', challenge, username: 'ada', password: 'correct horse battery' });
          return (await (await exchangeCode(server.url, { code, clientId: app.client_id, redirectUri: 'http://127.0.0.1/cb', verifier })).json()) as { access_token: string; refresh_token: string };
        };
        const live = (token: string) => fetch(`${server.url}/api/files`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
        const a = await issue();
        expect(await live(a.access_token)).toBe(200);
        expect(await runCli(['token', 'revoke', a.refresh_token, '--json'], { dataDir: dir })).toMatchObject({ code: 0, stdout: '{"revoked":"refresh_token"}\n' });
        expect(await live(a.access_token)).toBe(401);
        expect(await runCli(['token', 'revoke', a.refresh_token], { dataDir: dir })).toMatchObject({ code: 0, stdout: 'no such live token (unknown, expired or already revoked)\n' });

        const b = await issue();
        const users = JSON.parse((await runCli(['user', 'list', '--json'], { dataDir: dir })).stdout) as { user_id: string }[];
        expect((await runCli(['user', 'delete', users[0]!.user_id], { dataDir: dir })).code).toBe(0);
        expect(await live(b.access_token)).toBe(401);
      });
    } finally {
      removeDir(dir);
    }
  });

  it('client delete in another process stops a running server from issuing tokens to that client at its next request', async () => {
    const dir = tempDataDir();
    try {
      const created = await runCli(['client', 'create', '--name', 'svc', '--grant', 'client_credentials', '--scope', 'files:read', '--json'], { dataDir: dir });
      const { client_id: id, client_secret: secret } = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
      await withTsforge({ dataDir: dir }, async (server) => {
        const token = () => fetch(`${server.url}/oauth/token`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        });
        // Twice, so the server holds the client record in memory before it is deleted elsewhere.
        expect((await token()).status).toBe(200);
        expect((await token()).status).toBe(200);
        expect((await runCli(['client', 'delete', id], { dataDir: dir })).code).toBe(0);
        const refused = await token();
        expect(refused.status).toBe(401);
        expect(await refused.json()).toMatchObject({ error: 'invalid_client' });
      });
    } finally {
      removeDir(dir);
    }
  });

  it('commands that read data refuse a data dir that has none', async () => {
    const empty = tempDataDir();
    try {
      for (const args of [['user', 'list'], ['keys', 'list'], ['token', 'revoke', 'x']]) {
        const result = await runCli(args, { dataDir: `${empty}/missing` });
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/^tsforge: no tsforge data in /);
      }
    } finally {
      removeDir(empty);
    }
  });

  it('help lists the new commands and the OAuth settings', async () => {
    const main = await runCli(['--help']);
    for (const word of ['user create|list|delete', 'token revoke TOKEN', 'keys rotate|list']) expect(main.stdout).toContain(word);
    const serve = await runCli(['serve', '--help']);
    for (const name of ['ACCESS_TOKEN_FORMAT', 'JWT_ALG', 'TSFORGE_PKCE_REQUIRED', 'TSFORGE_PASSWORD_GRANT', 'TSFORGE_REFRESH_TOKEN_TTL', 'TSFORGE_TOKEN_RATE_LIMIT', 'TSFORGE_LOGIN_RATE_LIMIT', 'TSFORGE_PURGE_INTERVAL_S']) {
      expect(serve.stdout).toContain(name);
    }
    expect((await runCli(['help', 'user'])).stdout).toContain('tsforge user create --username NAME');
  });
});
