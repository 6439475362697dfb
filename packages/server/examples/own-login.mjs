// An application that signs people in itself: tsforge runs /oauth/authorize, the consent page and
// the token endpoint; the app's LoginHook says who is signed in. Here "signed in" is a header set
// by this script, standing in for the app's own session.
// From the repository root, after `npm ci`: node packages/server/examples/own-login.mjs
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, createRuntime, loadConfig } from '../dist/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tsforge-example-'));
const env = { ...process.env, TSFORGE_DATA_DIR: dataDir, LOG_LEVEL: 'error' };
const runtime = await createRuntime(loadConfig(env), { env });
const app = await buildApp(runtime, {
  login: {
    userId: (request) => request.headers['x-demo-user'] ?? null,
    loginUrl: (returnTo) => `/my-login?next=${encodeURIComponent(returnTo)}`,
  },
});
try {
  const { client } = await runtime.oauth.registerClient({
    name: 'Example app', grantTypes: ['authorization_code'], scopes: ['files:read'], redirectUris: ['http://127.0.0.1/cb'], public: true,
  });
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    response_type: 'code', client_id: client.id, redirect_uri: 'http://127.0.0.1:8765/cb', scope: 'files:read', state: 'xyz',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  });

  // Nobody signed in: tsforge sends the browser to the app's login page.
  const anonymous = await app.inject({ method: 'GET', url: `/oauth/authorize?${query}` });
  console.log(anonymous.statusCode, anonymous.headers.location);

  // Signed in as "user-42": tsforge's consent page, with its CSRF token and session cookie.
  const page = await app.inject({ method: 'GET', url: `/oauth/authorize?${query}`, headers: { 'x-demo-user': 'user-42' } });
  const form = new URLSearchParams();
  for (const [, name, value] of page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.append(name, value.replaceAll('&amp;', '&'));
  form.set('decision', 'approve');
  const approved = await app.inject({
    method: 'POST', url: '/oauth/consent', payload: form.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: String(page.headers['set-cookie']).split(';')[0], 'x-demo-user': 'user-42' },
  });
  const code = new URL(approved.headers.location).searchParams.get('code');
  console.log(approved.statusCode, 'code', code.slice(0, 10) + '…');

  const tokens = await runtime.oauth.exchangeCode({ clientId: client.id, code, redirectUri: 'http://127.0.0.1:8765/cb', codeVerifier: verifier });
  console.log('access token for', (await runtime.oauth.validateToken(tokens.access_token)).userId);
} finally {
  await app.close();
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
}
