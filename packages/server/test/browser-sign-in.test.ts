import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverForSuite } from './support/tsforge.js';
import { codeThroughPages, createAppClient, createUser, pkcePair } from './support/authorize-flow.js';

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'correct horse battery';
// Locally a machine without Chromium skips; under CI a missing browser is a failure.
const haveBrowser = existsSync(CHROMIUM) || process.env.CI === 'true';

/** The client application's redirect target: a real listener on a free loopback port. */
async function callbackServer(): Promise<{ server: Server; redirectUri: string }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('signed in'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb` };
}

describe.runIf(haveBrowser)('Sign in with tsforge in a real browser, driven by openid-client (RFC 6749 §4.1, RFC 7636, RFC 9207)', () => {
  const tsforge = serverForSuite();
  let browser: Browser;
  let callback: { server: Server; redirectUri: string };
  let config: client.Configuration;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    callback = await callbackServer();
    await createUser(tsforge.dataDir, 'ada', PASSWORD);
    const app = await createAppClient(tsforge.dataDir, { redirectUri: 'http://127.0.0.1/cb', name: 'Browser app' });
    config = await client.discovery(new URL(tsforge.url), app.client_id, undefined, client.ClientSecretBasic(app.client_secret!), {
      algorithm: 'oauth2', execute: [client.allowInsecureRequests],
    });
  });

  afterAll(async () => {
    await browser?.close();
    callback?.server.close();
  });

  it('discovery, then code + PKCE through the login and consent pages; refresh rotation and reuse detection; introspection; revocation', async () => {
    const metadata = config.serverMetadata();
    expect(metadata.authorization_endpoint).toBe(`${tsforge.url}/oauth/authorize`);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);

    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: callback.redirectUri, scope: 'files:read', state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });

    const page = await browser.newPage();
    try {
      await page.goto(url.href);
      // The first field has focus; labels name the fields.
      expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id)).toBe('username');
      await page.getByLabel('Username').fill('ada');
      await page.getByLabel('Password').fill('wrong password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('not right');
      await page.getByLabel('Username').fill('ada');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
      expect(await page.getByText('files:read').count()).toBe(1);
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL((u) => u.href.startsWith(callback.redirectUri));
      const returned = new URL(page.url());

      const tokens = await client.authorizationCodeGrant(config, returned, { pkceCodeVerifier: verifier, expectedState: state });
      expect(tokens.token_type.toLowerCase()).toBe('bearer');
      expect(tokens.scope).toBe('files:read');
      const first = tokens.refresh_token!;

      // RFC 9700 §4.14.2: rotation on every use; a used refresh token revokes the whole family.
      const rotated = await client.refreshTokenGrant(config, first);
      expect(rotated.refresh_token).not.toBe(first);
      expect((await client.tokenIntrospection(config, rotated.access_token)).active).toBe(true);
      await expect(client.refreshTokenGrant(config, first)).rejects.toMatchObject({ error: 'invalid_grant' });
      await expect(client.refreshTokenGrant(config, rotated.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
      expect(await client.tokenIntrospection(config, rotated.access_token)).toEqual({ active: false });

      // A second authorization: the browser is still signed in, so only consent is asked.
      const again = client.buildAuthorizationUrl(config, { redirect_uri: callback.redirectUri, scope: 'files:read', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state });
      await page.goto(again.href);
      await page.getByRole('checkbox').check();
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL((u) => u.href.startsWith(callback.redirectUri));
      const second = await client.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: verifier, expectedState: state });
      const introspected = await client.tokenIntrospection(config, second.access_token);
      expect(introspected).toMatchObject({ active: true, scope: 'files:read', client_id: config.clientMetadata().client_id, token_type: 'Bearer' });
      expect(introspected.sub).toMatch(/^usr_/);

      // RFC 7009: revoking the refresh token takes its access tokens with it.
      await client.tokenRevocation(config, second.refresh_token!, { token_type_hint: 'refresh_token' });
      expect(await client.tokenIntrospection(config, second.access_token)).toEqual({ active: false });

      // Remembered: the third round trip needs no page at all.
      await page.goto(again.href);
      await page.waitForURL((u) => u.href.startsWith(callback.redirectUri));
      expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();
    } finally {
      await page.close();
    }
  });

  it('the pages cannot be framed: the browser refuses to render them in a frame', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(callback.redirectUri);
      const blocked = page.waitForEvent('console', { predicate: (m) => /frame|refused/i.test(m.text()), timeout: 10_000 }).then(() => true, () => false);
      await page.setContent(`<iframe src="${tsforge.url}/oauth/authorize?client_id=x"></iframe>`);
      const frame = page.frames()[1];
      const framed = frame ? await frame.evaluate(() => (globalThis as unknown as { document: { body: { innerText: string } | null } }).document.body?.innerText ?? '').catch(() => '') : '';
      expect(framed).not.toContain('This request cannot be completed');
      expect(await blocked).toBe(true);
    } finally {
      await page.close();
    }
  });
});

describe('JWT access tokens (RFC 9068) validate against /oauth/jwks', () => {
  const tsforge = serverForSuite({ env: { ACCESS_TOKEN_FORMAT: 'jwt', JWT_ALG: 'EdDSA' } });

  it('a token from the code flow verifies with the published keys and carries the RFC 9068 claims', async () => {
    await createUser(tsforge.dataDir, 'ada', PASSWORD);
    const app = await createAppClient(tsforge.dataDir, { redirectUri: 'http://127.0.0.1/cb', public: true });
    const config = await client.discovery(new URL(tsforge.url), app.client_id, undefined, client.None(), { algorithm: 'oauth2', execute: [client.allowInsecureRequests] });
    expect(config.serverMetadata().jwks_uri).toBe(`${tsforge.url}/oauth/jwks`);
    const { verifier, challenge } = pkcePair();
    const { location } = await codeThroughPages({ base: tsforge.url, clientId: app.client_id, redirectUri: 'http://127.0.0.1/cb', challenge, username: 'ada', password: PASSWORD, state: 'j' });
    const tokens = await client.authorizationCodeGrant(config, location, { pkceCodeVerifier: verifier, expectedState: 'j' });

    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, { issuer: tsforge.url, audience: tsforge.url, typ: 'at+jwt' });
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(payload).toMatchObject({ client_id: app.client_id, scope: 'files:read' });
    expect(payload.sub).toMatch(/^usr_/);
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBe(3600);

    // The resource server honours revocation, which a bare signature check cannot see.
    const files = () => fetch(`${tsforge.url}/api/files`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect((await files()).status).toBe(200);
    await client.tokenRevocation(config, tokens.refresh_token!);
    expect((await files()).status).toBe(401);
  });
});
