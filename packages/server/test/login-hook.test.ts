import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, createRuntime, loadConfig, type Runtime } from '../src/index.js';
import { removeDir, tempDataDir } from './support/tsforge.js';
import { parseForm, pkcePair } from './support/authorize-flow.js';

// An application with its own sign-in: tsforge runs the endpoint and the consent page, the hook says who is signed in.
describe('buildApp({ login }): the documented login hook', () => {
  let dataDir: string;
  let runtime: Runtime;
  let app: FastifyInstance;
  let clientId: string;

  beforeAll(async () => {
    dataDir = tempDataDir();
    const env = { TSFORGE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    runtime = await createRuntime(loadConfig(env), { env });
    app = await buildApp(runtime, {
      login: {
        userId: (request) => (typeof request.headers['x-app-user'] === 'string' ? request.headers['x-app-user'] : null),
        loginUrl: (returnTo) => `/my-login?next=${encodeURIComponent(returnTo)}`,
      },
    });
    ({ client: { id: clientId } } = await runtime.oauth.registerClient({ name: 'Hooked', grantTypes: ['authorization_code'], scopes: ['files:read'], redirectUris: ['http://127.0.0.1/cb'], public: true }));
  });
  afterAll(async () => {
    await app.close();
    await runtime.close();
    removeDir(dataDir);
  });

  const query = () => new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'http://127.0.0.1/cb', scope: 'files:read', state: 's', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' });

  it("nobody signed in → 302 to the app's login URL carrying the authorize URL to come back to", async () => {
    const q = query();
    const response = await app.inject({ method: 'GET', url: `/oauth/authorize?${q}` });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe(`/my-login?next=${encodeURIComponent(`/oauth/authorize?${q}`)}`);
  });

  it("the app's user → tsforge's consent page; approving → 303 with a code for that user", async () => {
    const page = await app.inject({ method: 'GET', url: `/oauth/authorize?${query()}`, headers: { 'x-app-user': 'app-user-7' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Allow access?');
    const cookie = String(page.headers['set-cookie']).split(';', 1)[0]!;
    const { action, fields } = parseForm(page.body);
    fields.set('decision', 'approve');
    const answer = await app.inject({ method: 'POST', url: action, headers: { cookie, 'x-app-user': 'app-user-7', 'content-type': 'application/x-www-form-urlencoded' }, payload: fields.toString() });
    expect(answer.statusCode).toBe(303);
    expect(new URL(String(answer.headers.location)).searchParams.get('code')).toMatch(/^tfac_/);
  });

  it('the built-in login form is not mounted', async () => {
    const response = await app.inject({ method: 'POST', url: '/oauth/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'username=a&password=b' });
    expect(response.statusCode).toBe(404);
  });
});
