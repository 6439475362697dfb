import { describe, expect, it } from 'vitest';
import { basic, createClient, getToken, serverForSuite, until, type RunningTsforge } from './support/tsforge.js';

async function upload(server: RunningTsforge, key: string, body: string): Promise<void> {
  const client = await createClient(server.dataDir);
  const token = await getToken(server.url, client);
  const response = await fetch(`${server.url}/api/files/${key}`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body });
  expect(response.status).toBeLessThan(300);
}

describe('module loggers: LOG_LEVEL=info,storage=debug', () => {
  const server = serverForSuite({ env: { LOG_LEVEL: 'info,storage=debug' } });

  it('a PUT writes a debug line from module storage with key, bytes and duration', async () => {
    await upload(server, 'debug/one.txt', 'hello storage');
    await until(() => server.logs().some((l) => l.module === 'storage' && l.msg === 'storage write'));
    const line = server.logs().find((l) => l.module === 'storage' && l.msg === 'storage write');
    expect(line).toMatchObject({ level: 'debug', key: 'debug/one.txt', bytes: 13, op: 'PUT', status: expect.any(Number), duration_ms: expect.any(Number) });
  });

  it('requests refused before the disk (bad token, bad signature, bad query) get no storage line; the same requests allowed do', async () => {
    const client = await createClient(server.dataDir);
    const token = await getToken(server.url, client);
    const send = (id: string, path: string, init: RequestInit = {}) =>
      fetch(`${server.url}${path}`, { ...init, headers: { 'x-request-id': id, ...(init.headers as Record<string, string> | undefined) } });
    const bearer = { authorization: `Bearer ${token}` };
    const refused = [
      await send('refused-list', '/api/files', { headers: { authorization: 'Bearer not-a-token' } }),
      await send('refused-put', '/api/files/x.txt', { method: 'PUT', body: 'x' }),
      await send('refused-limit', '/api/files?limit=0', { headers: bearer }),
      await send('refused-signature', '/files/x.txt?expires=9999999999&signature=AAAA'),
    ];
    expect(refused.map((r) => r.status)).toEqual([401, 401, 400, 403]);
    const allowed = await send('allowed-list', '/api/files', { headers: bearer });
    const missing = await send('allowed-missing', '/api/files/not/there.txt', { headers: bearer });
    expect([allowed.status, missing.status]).toEqual([200, 404]);
    await until(() => server.logs().some((l) => l.request_id === 'allowed-missing' && l.module === 'storage'));
    await until(() => server.logs().some((l) => l.request_id === 'refused-signature' && l.module === 'http'));
    const storageLines = server.logs().filter((l) => l.module === 'storage' && l.level === 'debug' && String(l.request_id).match(/^(refused|allowed)-/));
    expect(storageLines.map((l) => [l.request_id, l.msg, l.op, l.route, l.status])).toEqual([
      ['allowed-list', 'storage access', 'GET', '/api/files', 200],
      ['allowed-missing', 'storage access', 'GET', '/api/files/*', 404],
    ]);
  });

  it('access lines come from module http, and other modules stay at info', async () => {
    await fetch(`${server.url}/.well-known/oauth-authorization-server`, { headers: { 'x-request-id': 'mod-http' } });
    await until(() => server.logs().some((l) => l.request_id === 'mod-http'));
    expect(server.logs().find((l) => l.request_id === 'mod-http')).toMatchObject({ module: 'http', level: 'info' });
    // oauth2 is at info here: its debug line for the token request is not written.
    expect(server.logs().some((l) => l.module === 'oauth2' && l.level === 'debug')).toBe(false);
  });
});

describe('module loggers: LOG_LEVEL=info,oauth2=debug', () => {
  const server = serverForSuite({ env: { LOG_LEVEL: 'info,oauth2=debug' } });

  it('a token request writes a debug line from module oauth2 with grant and client id, never the secret', async () => {
    const client = await createClient(server.dataDir);
    await getToken(server.url, client);
    const bad = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(client.client_id, 'wrong-secret'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(bad.status).toBe(401);
    await until(() => server.logs().filter((l) => l.module === 'oauth2' && l.msg === 'token request').length === 2);
    const lines = server.logs().filter((l) => l.module === 'oauth2' && l.msg === 'token request');
    expect(lines[0]).toMatchObject({ level: 'debug', grant: 'client_credentials', client_id: client.client_id, status: 200 });
    expect(lines[1]).toMatchObject({ grant: 'client_credentials', client_id: client.client_id, status: 401, error: 'invalid_client' });
    expect(server.lines.join('\n')).not.toContain(client.client_secret);
    expect(server.lines.join('\n')).not.toContain('wrong-secret');
  });
});

describe('module loggers: LOG_LEVEL=info', () => {
  const server = serverForSuite({ env: { LOG_LEVEL: 'info' } });

  it('a PUT writes no storage debug line', async () => {
    await upload(server, 'info/one.txt', 'hello');
    await until(() => server.logs().some((l) => l.msg === 'file stored'));
    expect(server.logs().find((l) => l.msg === 'file stored')).toMatchObject({ module: 'storage', level: 'info' });
    await new Promise((r) => setTimeout(r, 100));
    expect(server.logs().some((l) => l.level === 'debug')).toBe(false);
  });
});

describe('scrapes and probes are not info noise', () => {
  const server = serverForSuite();

  it('a successful /metrics scrape, /health and /ready probe log their access line at debug, not info', async () => {
    await fetch(`${server.url}/metrics`, { headers: { 'x-request-id': 'quiet-metrics' } });
    await fetch(`${server.url}/health`, { headers: { 'x-request-id': 'quiet-health' } });
    await fetch(`${server.url}/ready`, { headers: { 'x-request-id': 'quiet-ready' } });
    await fetch(`${server.url}/.well-known/oauth-authorization-server`, { headers: { 'x-request-id': 'loud-meta' } });
    await until(() => server.logs().some((l) => l.request_id === 'loud-meta'));
    await new Promise((r) => setTimeout(r, 100));
    expect(server.logs().some((l) => ['quiet-metrics', 'quiet-health', 'quiet-ready'].includes(String(l.request_id)))).toBe(false);
  });
});

describe('scrapes and probes at debug', () => {
  const server = serverForSuite({ env: { LOG_LEVEL: 'info,http=debug' } });

  it('their access lines are written at debug', async () => {
    await fetch(`${server.url}/health`, { headers: { 'x-request-id': 'debug-health' } });
    await until(() => server.logs().some((l) => l.request_id === 'debug-health'));
    expect(server.logs().find((l) => l.request_id === 'debug-health')).toMatchObject({ level: 'debug', module: 'http', status: 200 });
  });
});

describe('a refused scrape is still logged at its normal level', () => {
  const server = serverForSuite({ env: { METRICS_AUTH_TOKEN: 'm'.repeat(32) } });

  it('a 401 on /metrics is an info line', async () => {
    const response = await fetch(`${server.url}/metrics`, { headers: { 'x-request-id': 'refused-scrape' } });
    expect(response.status).toBe(401);
    await until(() => server.logs().some((l) => l.request_id === 'refused-scrape'));
    expect(server.logs().find((l) => l.request_id === 'refused-scrape')).toMatchObject({ level: 'info', status: 401 });
  });
});
