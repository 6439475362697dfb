import { beforeAll, describe, expect, it } from 'vitest';
import { serverForSuite } from './support/tsforge.js';
import { authorizeUrl, codeThroughPages, createAppClient, createUser, exchangeCode, PageClient, parseForm, pkcePair } from './support/authorize-flow.js';

const REDIRECT = 'http://127.0.0.1/cb';
const PASSWORD = 'correct horse battery';

describe('GET /oauth/authorize with the login and consent pages (RFC 6749 §4.1)', () => {
  const server = serverForSuite({ env: { TSFORGE_LOGIN_RATE_LIMIT: '5' } });
  let app: { client_id: string };
  let userId: string;

  beforeAll(async () => {
    userId = await createUser(server.dataDir, 'ada', PASSWORD);
    app = await createAppClient(server.dataDir, { redirectUri: REDIRECT, public: true, name: 'Demo <b>&"app"' });
    await createUser(server.dataDir, 'limited', PASSWORD);
    await createUser(server.dataDir, 'neighbour', PASSWORD);
  });

  const start = (pages: PageClient, extra: Record<string, string> = {}) => {
    const { challenge } = pkcePair();
    return pages.get(authorizeUrl(server.url, {
      client_id: app.client_id, redirect_uri: 'http://127.0.0.1:51234/cb', scope: 'files:read', state: 's1', code_challenge: challenge,
      code_challenge_method: 'S256', ...extra,
    }));
  };

  it('the login page: accessible markup, escaped names, no framing, no caching, no referrer, a strict CSP', async () => {
    const response = await start(new PageClient(server.url));
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<label for="username">Username</label>');
    expect(page).toContain('<label for="password">Password</label>');
    expect(page).toContain('autofocus');
    // The client's name is shown as text, never as markup.
    expect(page).toContain('Demo &lt;b&gt;&amp;&quot;app&quot;');
    expect(page).not.toContain('<b>');
    expect(page).not.toMatch(/<script|src=|href=/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; form-action 'self' http:\/\/127\.0\.0\.1:51234; frame-ancestors 'none'; base-uri 'none'$/);
    const cookie = response.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^tsforge_session=[^;]+; Path=\/oauth; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
  });

  it('sign-in, consent and the code: every form POST answers 303; the code redeems once with PKCE', async () => {
    const { verifier, challenge } = pkcePair();
    const pages = new PageClient(server.url);
    const first = await pages.get(authorizeUrl(server.url, { client_id: app.client_id, redirect_uri: REDIRECT, scope: 'files:read', state: 'abc', code_challenge: challenge, code_challenge_method: 'S256' }));
    const login = await pages.submit(await first.text(), { username: 'ada', password: PASSWORD });
    expect(login.status).toBe(303);
    expect(login.headers.get('x-frame-options')).toBe('DENY');
    const consentPage = await (await pages.get(login.headers.get('location')!)).text();
    expect(consentPage).toContain('Signed in as <strong>ada</strong>');
    expect(consentPage).toContain('<code>files:read</code>');
    const approved = await pages.submit(consentPage, { decision: 'approve' });
    expect(approved.status).toBe(303);
    const location = new URL(approved.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('abc');
    // RFC 9207 §2: the issuer in every authorization response.
    expect(location.searchParams.get('iss')).toBe(server.url);
    const token = await exchangeCode(server.url, { code: location.searchParams.get('code')!, clientId: app.client_id, redirectUri: REDIRECT, verifier });
    expect(token.status).toBe(200);
    const body = (await token.json()) as { access_token: string; refresh_token: string; scope: string };
    expect(body.scope).toBe('files:read');
    expect(typeof body.refresh_token).toBe('string');
    const introspected = await fetch(`${server.url}/api/files`, { headers: { authorization: `Bearer ${body.access_token}` } });
    expect(introspected.status).toBe(200);
  });

  it('a wrong password: 303 back to the authorize URL, then the login page says so once (role=alert)', async () => {
    const pages = new PageClient(server.url);
    const page = await (await start(pages)).text();
    const failed = await pages.submit(page, { username: 'ada', password: 'not the password' });
    expect(failed.status).toBe(303);
    const again = await (await pages.get(failed.headers.get('location')!)).text();
    expect(again).toContain('role="alert"');
    expect(again).toContain('The username or password is not right.');
    expect(again).toContain('name="username" value="ada"');
    const later = await (await pages.get(failed.headers.get('location')!)).text();
    expect(later).not.toContain('role="alert"');
  });

  it('CSRF: a login POST without the token, with a forged one, or without the session cookie is refused with 403 and no session', async () => {
    const pages = new PageClient(server.url);
    const page = await (await start(pages)).text();
    const { fields } = parseForm(page);
    fields.set('username', 'ada');
    fields.set('password', PASSWORD);
    const forged = new URLSearchParams(fields);
    forged.set('csrf', 'A'.repeat(43));
    const missing = new URLSearchParams(fields);
    missing.delete('csrf');
    for (const body of [forged, missing]) {
      const response = await pages.post('/oauth/login', body);
      expect(response.status).toBe(403);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(await response.text()).toContain('Form expired');
    }
    // The right token from another browser (no cookie): refused too.
    const other = await fetch(`${server.url}/oauth/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields, redirect: 'manual' });
    expect(other.status).toBe(403);
  });

  it('CSRF: the consent POST needs its own token; the login token does not open it', async () => {
    const { challenge } = pkcePair();
    const { pages } = await codeThroughPages({ base: server.url, clientId: app.client_id, redirectUri: REDIRECT, challenge, username: 'ada', password: PASSWORD });
    const consent = await (await start(pages)).text();
    expect(consent).toContain('Allow access?');
    const { fields } = parseForm(consent);
    const loginPage = await (await start(new PageClient(server.url))).text();
    fields.set('csrf', parseForm(loginPage).fields.get('csrf')!);
    fields.set('decision', 'approve');
    const response = await pages.post('/oauth/consent', fields);
    expect(response.status).toBe(403);
    expect(response.headers.get('location')).toBeNull();
  });

  describe('the consent form approves exactly the request it showed', () => {
    let conf: { client_id: string };
    let consent: string;
    let pages: PageClient;
    beforeAll(async () => {
      conf = await createAppClient(server.dataDir, { redirectUri: REDIRECT, name: 'Confidential app' });
      await createUser(server.dataDir, 'tamper', PASSWORD);
      pages = new PageClient(server.url);
      await codeThroughPages({ base: server.url, clientId: app.client_id, redirectUri: REDIRECT, challenge: pkcePair().challenge, username: 'tamper', password: PASSWORD, pages });
      consent = await (await start(pages, { scope: 'files:write' })).text();
      expect(consent).toContain('Allow access?');
    });

    const tampered: [string, (f: URLSearchParams) => void][] = [
      ['client_id of another (confidential) client', (f) => f.set('p.client_id', conf.client_id)],
      ['another loopback redirect_uri', (f) => f.set('p.redirect_uri', 'http://127.0.0.1:40000/cb')],
      ['a wider scope', (f) => f.set('p.scope', 'files:read files:write')],
      ['another state', (f) => f.set('p.state', 'attacker')],
      ['another PKCE code_challenge', (f) => f.set('p.code_challenge', pkcePair().challenge)],
      ['an added parameter', (f) => f.set('p.prompt', 'none')],
      ['a removed state', (f) => f.delete('p.state')],
    ];
    for (const [name, change] of tampered) {
      it(`RFC 6749 §10.12: the form's token with ${name} → 403, no redirect, no code`, async () => {
        const { fields } = parseForm(consent);
        change(fields);
        fields.set('decision', 'approve');
        const response = await pages.post('/oauth/consent', fields);
        expect(response.status).toBe(403);
        expect(response.headers.get('location')).toBeNull();
      });
    }

    it('the untouched form still approves (and only its own client gets the code)', async () => {
      const approved = await pages.submit(consent, { decision: 'approve' });
      expect(approved.status).toBe(303);
      const location = new URL(approved.headers.get('location')!);
      expect(location.origin + location.pathname).toBe('http://127.0.0.1:51234/cb');
      expect(location.searchParams.get('code')).toBeTruthy();
      expect(location.searchParams.get('state')).toBe('s1');
    });
  });

  it('deny → 303 to the client with error=access_denied and the state (§4.1.2.1)', async () => {
    const { challenge } = pkcePair();
    const pages = new PageClient(server.url);
    await codeThroughPages({ base: server.url, clientId: app.client_id, redirectUri: REDIRECT, challenge, username: 'ada', password: PASSWORD, pages });
    const consent = await (await start(pages)).text();
    const denied = await pages.submit(consent, { decision: 'deny' });
    expect(denied.status).toBe(303);
    const location = new URL(denied.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('http://127.0.0.1:51234/cb');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      error: 'access_denied', error_description: 'the user denied the request', state: 's1', iss: server.url,
    });
  });

  it('a remembered consent for a confidential client: the next authorization for that user and client goes straight back with a code', async () => {
    const confidential = await createAppClient(server.dataDir, { redirectUri: REDIRECT, name: 'Backend app' });
    await createUser(server.dataDir, 'remembers', PASSWORD);
    const { challenge } = pkcePair();
    const pages = new PageClient(server.url);
    const first = await pages.get(authorizeUrl(server.url, { client_id: confidential.client_id, redirect_uri: REDIRECT, scope: 'files:write', code_challenge: challenge, code_challenge_method: 'S256' }));
    await pages.submit(await first.text(), { username: 'remembers', password: PASSWORD });
    const consent = await (await pages.get(authorizeUrl(server.url, { client_id: confidential.client_id, redirect_uri: REDIRECT, scope: 'files:write', code_challenge: challenge, code_challenge_method: 'S256' }))).text();
    expect(consent).toContain('name="remember"');
    expect((await pages.submit(consent, { decision: 'approve', remember: '1' })).status).toBe(303);
    const next = await pages.get(authorizeUrl(server.url, { client_id: confidential.client_id, redirect_uri: REDIRECT, scope: 'files:write', code_challenge: challenge, code_challenge_method: 'S256' }));
    expect(next.status).toBe(302);
    expect(new URL(next.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    // A scope not yet approved asks again.
    const wider = await pages.get(authorizeUrl(server.url, { client_id: confidential.client_id, redirect_uri: REDIRECT, scope: 'files:read files:write', code_challenge: challenge, code_challenge_method: 'S256' }));
    expect(wider.status).toBe(200);
    expect(await wider.text()).toContain('Allow access?');
  });

  it('RFC 8252 §8.6: a public client is never approved silently: no "remember" box, and a posted remember=1 is ignored on any loopback port', async () => {
    await createUser(server.dataDir, 'publicuser', PASSWORD);
    const { challenge } = pkcePair();
    const pages = new PageClient(server.url);
    await codeThroughPages({ base: server.url, clientId: app.client_id, redirectUri: REDIRECT, challenge, username: 'publicuser', password: PASSWORD, pages });
    const consent = await (await start(pages, { scope: 'files:write' })).text();
    expect(consent).toContain('Allow access?');
    expect(consent).not.toContain('remember');
    expect((await pages.submit(consent, { decision: 'approve', remember: '1' })).status).toBe(303);
    for (const port of ['', ':51234', ':40000']) {
      const next = await pages.get(authorizeUrl(server.url, { client_id: app.client_id, redirect_uri: `http://127.0.0.1${port}/cb`, scope: 'files:write', code_challenge: challenge, code_challenge_method: 'S256' }));
      expect(next.status).toBe(200);
      expect(await next.text()).toContain('Allow access?');
    }
  });

  it('the session cookie is signed: a forged user id signs nobody in', async () => {
    const forgedPayload = Buffer.from(JSON.stringify({ id: 'x', userId, notice: null, expiresAt: 9_999_999_999 })).toString('base64url');
    const response = await fetch(authorizeUrl(server.url, { client_id: app.client_id, redirect_uri: REDIRECT, code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }), {
      headers: { cookie: `tsforge_session=${forgedPayload}.${'A'.repeat(43)}` }, redirect: 'manual',
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Sign in</title>');
  });

  it('login attempts are rate limited per username and IP: 429 with Retry-After', async () => {
    const pages = new PageClient(server.url);
    const page = await (await start(pages)).text();
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 7; i++) {
      last = await pages.submit(page, { username: 'limited', password: 'wrong password' });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5)).toEqual([303, 303, 303, 303, 303]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even the right password waits: the limit counts attempts, not failures.
    expect((await pages.submit(page, { username: 'limited', password: PASSWORD })).status).toBe(429);
    // Another username is not affected.
    expect((await pages.submit(page, { username: 'neighbour', password: PASSWORD })).status).toBe(303);
  });

  describe('errors before the client and redirect URI are trusted are shown, never redirected (§4.1.2.1)', () => {
    // Case 12 (RFC 9700 §4.1): exact redirect URI matching; case 13: unknown client.
    const registered = 'https://app.test/cb';
    let strict: { client_id: string };
    beforeAll(async () => {
      strict = await createAppClient(server.dataDir, { redirectUri: registered, public: true });
    });
    const bad = ['https://app.test/CB', 'https://app.test/cb/../evil', 'https://app.test/cb?x=1', 'https://app.test.evil.test/cb'];
    for (const redirectUri of bad) {
      it(`redirect_uri ${redirectUri} for a client registered with ${registered} → 400 page, no Location`, async () => {
        const response = await fetch(authorizeUrl(server.url, { client_id: strict.client_id, redirect_uri: redirectUri, code_challenge: pkcePair().challenge, code_challenge_method: 'S256', state: 'x' }), { redirect: 'manual' });
        expect(response.status).toBe(400);
        expect(response.headers.get('location')).toBeNull();
        expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
        expect(await response.text()).toContain('The redirect_uri is not registered for this application.');
      });
    }

    it('RFC 8252 §7.3: http://127.0.0.1/cb registered → any port on the loopback is accepted', async () => {
      const response = await start(new PageClient(server.url));
      expect(response.status).toBe(200);
    });

    it('RFC 6749 §3.1.2.4 / §4.1.2.1: a loopback redirect_uri with port 99999 → 400 page naming the redirect_uri, never a redirect', async () => {
      const response = await fetch(authorizeUrl(server.url, { client_id: app.client_id, redirect_uri: 'http://127.0.0.1:99999/cb', code_challenge: pkcePair().challenge, code_challenge_method: 'S256', state: 'x' }), { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.text()).toContain('The redirect_uri is not registered for this application.');
    });

    it('client_id=unknown&redirect_uri=https://evil.test → an error page, never a redirect there', async () => {
      const response = await fetch(`${server.url}/oauth/authorize?response_type=code&client_id=unknown&redirect_uri=https%3A%2F%2Fevil.test`, { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      const page = await response.text();
      expect(page).toContain('The application (client_id) is not registered here.');
      expect(page).not.toContain('evil.test');
    });

    it('after trust, errors redirect with error, state and iss: a public client without PKCE → invalid_request', async () => {
      const response = await fetch(authorizeUrl(server.url, { client_id: app.client_id, redirect_uri: REDIRECT, state: 'q' }), { redirect: 'manual' });
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get('location')!);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('state')).toBe('q');
      expect(location.searchParams.get('iss')).toBe(server.url);
    });
  });
});
