import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { basic, createClient, rawRequest, serverForSuite, type Client } from './support/tsforge.js';
import { codeThroughPages, createAppClient, createUser, exchangeCode, pkcePair } from './support/authorize-flow.js';

// Every error code RFC 6749 §5.2, RFC 7009 §2.2.1 and RFC 7662 §2.3 allow at these endpoints.
const RFC_ERRORS = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'unsupported_token_type']);
const FORM = 'application/x-www-form-urlencoded';
const PASSWORD = 'correct horse battery';

describe('the token, revocation and introspection endpoints over HTTP', () => {
  const server = serverForSuite({ env: { TSFORGE_TOKEN_RATE_LIMIT: '0' } });
  let svc: Client;

  beforeAll(async () => {
    svc = await createClient(server.dataDir);
  });

  // Header values an HTTP/1.1 peer can actually send: visible ASCII and spaces, no line breaks.
  const headerValue = fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));
  const names = ['grant_type', 'client_id', 'client_secret', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'scope', 'token', 'token_type_hint'];
  const values = fc.oneof(
    fc.constantFrom('client_credentials', 'authorization_code', 'refresh_token', 'password', 'files:read', 'access_token', 'refresh_token', '%', '%E0%A4%A', '+', 'tfat_' + 'A'.repeat(43)),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
  );
  const body = fc.oneof(
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 8 })), values, fc.boolean()), { maxLength: 6 })
      .map((pairs) => pairs.map(([k, v, raw]) => `${encodeURIComponent(k)}=${raw ? v : encodeURIComponent(v)}`).join('&')),
    fc.string({ maxLength: 120 }),
  );
  const request = fc.record({
    endpoint: fc.constantFrom('/oauth/token', '/oauth/revoke', '/oauth/introspect'),
    method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT'),
    contentType: fc.oneof(fc.constantFrom(FORM, `${FORM}; charset=UTF-8`, 'application/json', 'text/plain', null), headerValue),
    authorization: fc.oneof(fc.constant(null), fc.constantFrom('valid', 'Basic', 'Basic !!!', 'Bearer x', basic('nobody', 'x')), headerValue),
    duplicateAuthorization: fc.boolean(),
    body,
  });

  it('arbitrary bodies and headers always get a well-formed RFC answer, never a 5xx, never cacheable; the server keeps serving', async () => {
    await fc.assert(fc.asyncProperty(request, async (r) => {
      const auth = r.authorization === 'valid' ? basic(svc.client_id, svc.client_secret) : r.authorization;
      const bytes = Buffer.from(r.body, 'utf8');
      const head = [
        `${r.method} ${r.endpoint} HTTP/1.1`, `host: 127.0.0.1`, 'connection: close', `content-length: ${bytes.length}`,
        ...(r.contentType === null ? [] : [`content-type: ${r.contentType}`]),
        ...(auth === null ? [] : [`authorization: ${auth}`]),
        ...(auth !== null && r.duplicateAuthorization ? [`authorization: ${auth}`] : []),
      ].join('\r\n');
      const response = await rawRequest(server.url, Buffer.concat([Buffer.from(`${head}\r\n\r\n`), bytes]));
      const where = `${r.method} ${r.endpoint} → ${response.status} ${response.body}`;
      expect(response.status, where).toBeGreaterThanOrEqual(200);
      expect(response.status, where).toBeLessThan(500);
      expect(response.headers.toLowerCase(), where).toContain('cache-control: no-store');
      if (response.status >= 400) {
        const parsed = JSON.parse(response.body) as Record<string, unknown>;
        expect(RFC_ERRORS.has(parsed.error as string), where).toBe(true);
        expect(typeof parsed.error_description, where).toBe('string');
      }
    }), { numRuns: 300 });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  describe('concurrency: 20 parallel redemptions', () => {
    let app: { client_id: string };
    beforeAll(async () => {
      await createUser(server.dataDir, 'ada', PASSWORD);
      app = await createAppClient(server.dataDir, { redirectUri: 'http://127.0.0.1/cb', public: true });
    });

    const race = (requests: Promise<Response>[]) => Promise.all(requests.map(async (r) => {
      const response = await r;
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    }));

    it('RFC 6749 §4.1.2: one code redeemed 20 times at once → exactly one 200, the rest invalid_grant', async () => {
      const { verifier, challenge } = pkcePair();
      const { code } = await codeThroughPages({ base: server.url, clientId: app.client_id, redirectUri: 'http://127.0.0.1/cb', challenge, username: 'ada', password: PASSWORD });
      const results = await race(Array.from({ length: 20 }, () => exchangeCode(server.url, { code, clientId: app.client_id, redirectUri: 'http://127.0.0.1/cb', verifier })));
      const winners = results.filter((r) => r.status === 200);
      expect(winners.length).toBeLessThanOrEqual(1);
      expect(results.filter((r) => r.status === 400 && r.body.error === 'invalid_grant')).toHaveLength(20 - winners.length);
    });

    it('RFC 9700 §4.14.2: one refresh token used 20 times at once → at most one 200 (the reuses revoke the family, even what the winner got)', async () => {
      const { verifier, challenge } = pkcePair();
      const { code } = await codeThroughPages({ base: server.url, clientId: app.client_id, redirectUri: 'http://127.0.0.1/cb', challenge, username: 'ada', password: PASSWORD });
      const tokens = (await (await exchangeCode(server.url, { code, clientId: app.client_id, redirectUri: 'http://127.0.0.1/cb', verifier })).json()) as { refresh_token: string };
      const refresh = () => fetch(`${server.url}/oauth/token`, {
        method: 'POST', headers: { 'content-type': FORM },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: app.client_id }),
      });
      const results = await race(Array.from({ length: 20 }, refresh));
      const winners = results.filter((r) => r.status === 200);
      expect(winners.length).toBeLessThanOrEqual(1);
      expect(results.filter((r) => r.status === 400 && r.body.error === 'invalid_grant')).toHaveLength(20 - winners.length);
    });
  });

  describe('cases that real servers got wrong', () => {
    it('case 5, RFC 6749 §3.2: a JSON body with the right fields → 400 invalid_request, at token, revoke and introspect', async () => {
      for (const endpoint of ['/oauth/token', '/oauth/revoke', '/oauth/introspect']) {
        const response = await fetch(`${server.url}${endpoint}`, {
          method: 'POST', headers: { 'content-type': 'application/json', authorization: basic(svc.client_id, svc.client_secret) },
          body: JSON.stringify({ grant_type: 'client_credentials', token: 'x' }),
        });
        expect(response.status, endpoint).toBe(400);
        expect(((await response.json()) as { error: string }).error, endpoint).toBe('invalid_request');
      }
    });

    it('case 7, RFC 6749 §5.1: success and error answers carry Cache-Control: no-store and Pragma: no-cache, and no ETag', async () => {
      const auth = basic(svc.client_id, svc.client_secret);
      const post = (path: string, form: string, authorization = auth) =>
        fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': FORM, authorization }, body: form });
      const token = await post('/oauth/token', 'grant_type=client_credentials');
      const { access_token } = (await token.clone().json()) as { access_token: string };
      const responses = [
        token,
        await post('/oauth/token', 'grant_type=client_credentials', basic(svc.client_id, 'wrong')),
        await post('/oauth/introspect', `token=${access_token}`),
        await post('/oauth/revoke', `token=${access_token}`),
        await post('/oauth/revoke', 'token=x', basic('nobody', 'x')),
      ];
      for (const r of responses) {
        expect(r.headers.get('cache-control'), r.url).toBe('no-store');
        expect(r.headers.get('pragma'), r.url).toBe('no-cache');
        expect(r.headers.get('etag'), r.url).toBeNull();
      }
      expect(responses.map((r) => r.status)).toEqual([200, 401, 200, 200, 401]);
    });
  });
});

describe('token endpoint rate limit (TSFORGE_TOKEN_RATE_LIMIT)', () => {
  const server = serverForSuite({ env: { TSFORGE_TOKEN_RATE_LIMIT: '3' } });

  it('per client id and IP: the 4th request in a minute → 429 with Retry-After and an RFC-shaped body; another client is unaffected', async () => {
    const [a, b] = [await createClient(server.dataDir), await createClient(server.dataDir)];
    const token = (c: Client) => fetch(`${server.url}/oauth/token`, {
      method: 'POST', headers: { authorization: basic(c.client_id, c.client_secret), 'content-type': FORM }, body: 'grant_type=client_credentials',
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await token(a)).status);
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await token(a);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('cache-control')).toBe('no-store');
    expect(await limited.json()).toMatchObject({ error: 'slow_down' });
    expect((await token(b)).status).toBe(200);
  });

  // Each spelling of one client id that client authentication accepts (RFC 6749 §2.3.1: the Basic
  // user name and the form field are form-urlencoded) must land in the same bucket.
  const encodeFirst = (id: string) => `%${id.charCodeAt(0).toString(16).toUpperCase()}${id.slice(1)}`;

  it('RFC 6749 §2.3.1: percent-encoded spellings of the client id share its bucket (Basic user name and client_id field)', async () => {
    const c = await createClient(server.dataDir);
    const post = (headers: Record<string, string>, body: string) => fetch(`${server.url}/oauth/token`, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body });
    const rawBasic = (user: string, secret: string) => 'Basic ' + Buffer.from(`${user}:${encodeURIComponent(secret)}`).toString('base64');
    const statuses = [
      (await post({ authorization: rawBasic(encodeFirst(c.client_id), 'wrong') }, 'grant_type=client_credentials')).status,
      (await post({}, `grant_type=client_credentials&client_id=${encodeFirst(c.client_id)}&client_secret=wrong`)).status,
      (await post({ authorization: rawBasic(c.client_id.split('').map((ch) => encodeFirst(ch)).join(''), 'wrong') }, 'grant_type=client_credentials')).status,
    ];
    expect(statuses).toEqual([401, 401, 401]);
    const limited = await post({ authorization: basic(c.client_id, c.client_secret) }, 'grant_type=client_credentials');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  for (const endpoint of ['revoke', 'introspect']) {
    it(`POST /oauth/${endpoint} authenticates clients, so it is limited per client id and IP too: 429 + Retry-After, encoded ids included`, async () => {
      const [c, other] = [await createClient(server.dataDir), await createClient(server.dataDir)];
      const post = (body: string) => fetch(`${server.url}/oauth/${endpoint}`, { method: 'POST', headers: { 'content-type': FORM }, body });
      const statuses = [];
      for (const id of [c.client_id, encodeFirst(c.client_id), encodeFirst(c.client_id)]) statuses.push((await post(`token=x&client_id=${id}&client_secret=wrong`)).status);
      expect(statuses).toEqual([401, 401, 401]);
      const limited = await post(`token=x&client_id=${c.client_id}&client_secret=${encodeURIComponent(c.client_secret)}`);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.headers.get('cache-control')).toBe('no-store');
      expect(await limited.json()).toMatchObject({ error: 'slow_down' });
      expect((await post(`token=x&client_id=${other.client_id}&client_secret=${encodeURIComponent(other.client_secret)}`)).status).toBe(200);
    });

    it(`POST /oauth/${endpoint} counts failed client authentications only: a resource server calling it often is never throttled`, async () => {
      const c = await createClient(server.dataDir);
      const post = (body: string) => fetch(`${server.url}/oauth/${endpoint}`, { method: 'POST', headers: { 'content-type': FORM }, body });
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await post(`token=x&client_id=${c.client_id}&client_secret=${encodeURIComponent(c.client_secret)}`)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    });
  }
});
