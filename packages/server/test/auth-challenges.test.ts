import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createClient, getToken, serverForSuite } from './support/tsforge.js';

const ADMIN_TOKEN = 'admin-token-0123456789abcdef0123456789';
const METRICS_TOKEN = 'scrape-token-0123456789abcdef';

interface Answer {
  status: number;
  challenge: string | undefined;
  body: { error?: string };
}

/** node:http sends a header given as an array once per value; fetch would join them into one. */
function send(url: string, method: string, authorization?: string | string[]): Promise<Answer> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path: pathname, method, headers: authorization === undefined ? {} : { authorization: authorization as string } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => {
        const challenge = res.headers['www-authenticate'];
        resolve({ status: res.statusCode!, challenge: Array.isArray(challenge) ? challenge.join('|') : challenge, body: (res.headers['content-type']?.startsWith('application/json') ? JSON.parse(text) : {}) as Answer['body'] });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('bearer challenges on every protected endpoint (RFC 6750 §3.1)', () => {
  const server = serverForSuite({ env: { ADMIN_TOKEN, METRICS_AUTH_TOKEN: METRICS_TOKEN } });
  let apiToken: string;

  const endpoints = () => [
    { name: 'GET /metrics', url: `${server.url}/metrics`, token: METRICS_TOKEN, realm: 'metrics' },
    { name: 'GET /admin/log-level', url: `${server.url}/admin/log-level`, token: ADMIN_TOKEN, realm: 'tsforge-admin' },
    { name: 'GET /api/files', url: `${server.url}/api/files`, token: apiToken, realm: new URL(server.url).origin },
  ];

  it('§3.1 a request with no credentials gets a challenge with the realm alone, no error code', async () => {
    const client = await createClient(server.dataDir);
    apiToken = await getToken(server.url, client);
    for (const { name, url, realm } of endpoints()) {
      const answer = await send(url, 'GET');
      expect(answer.status, name).toBe(401);
      expect(answer.challenge, name).toBe(`Bearer realm="${realm}"`);
      expect(answer.body.error, name).toBe('unauthorized');
    }
  });

  it('§3.1 another scheme (Basic) counts as no credentials: realm alone', async () => {
    for (const { name, url, realm } of endpoints()) {
      const answer = await send(url, 'GET', `Basic ${Buffer.from('a:b').toString('base64')}`);
      expect(answer.status, name).toBe(401);
      expect(answer.challenge, name).toBe(`Bearer realm="${realm}"`);
    }
  });

  it('§3.1 a wrong token → 401 with error="invalid_token"', async () => {
    for (const { name, url, realm } of endpoints()) {
      const answer = await send(url, 'GET', 'Bearer wrong-token-0123456789abcdef0123456789');
      expect(answer.status, name).toBe(401);
      expect(answer.challenge, name).toMatch(new RegExp(`^Bearer realm="${realm}", error="invalid_token"`));
      expect(answer.body.error, name).toBe('invalid_token');
    }
  });

  it('§3.1 a malformed Bearer header (no token, two tokens) → 400 invalid_request on every endpoint alike', async () => {
    for (const { name, url } of endpoints()) {
      for (const header of ['Bearer', 'Bearer a b']) {
        const answer = await send(url, 'GET', header);
        expect(answer.status, `${name} ${header}`).toBe(400);
        expect(answer.challenge, name).toMatch(/error="invalid_request"/);
        expect(answer.body.error, name).toBe('invalid_request');
      }
    }
  });

  it('§3.1 two Authorization headers → 400 invalid_request, even when both carry the right token', async () => {
    for (const { name, url, token } of endpoints()) {
      const answer = await send(url, 'GET', [`Bearer ${token}`, `Bearer ${token}`]);
      expect(answer.status, name).toBe(400);
      expect(answer.challenge, name).toMatch(/error="invalid_request"/);
      expect(answer.body.error, name).toBe('invalid_request');
      // The right token alone passes, so the 400 is the repeat's doing.
      expect((await send(url, 'GET', `Bearer ${token}`)).status, name).toBe(200);
    }
  });
});

describe('a repeated Authorization header on /metrics behind basic auth (RFC 7617)', () => {
  const server = serverForSuite({ env: { METRICS_BASIC_AUTH: 'prometheus:correct horse battery' } });
  const basic = `Basic ${Buffer.from('prometheus:correct horse battery').toString('base64')}`;

  it('is a 400 invalid_request; one header passes; none gets the Basic challenge', async () => {
    const twice = await send(`${server.url}/metrics`, 'GET', [basic, basic]);
    expect(twice.status).toBe(400);
    expect(twice.body.error).toBe('invalid_request');
    expect((await send(`${server.url}/metrics`, 'GET', basic)).status).toBe(200);
    expect((await send(`${server.url}/metrics`, 'GET')).challenge).toBe('Basic realm="metrics", charset="UTF-8"');
  });
});
