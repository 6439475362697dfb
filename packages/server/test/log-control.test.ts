import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeDir, runCli, serverForSuite, startTsforge, tempDataDir, until } from './support/tsforge.js';

const ADMIN_TOKEN = 'a'.repeat(24) + '0123456789abcdef';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE}-00f067aa0ba902b7-01`;

describe('W3C traceparent on incoming requests', () => {
  const server = serverForSuite();

  it('a valid traceparent puts its trace id and the caller’s span on the access line, with this server’s own span id', async () => {
    await fetch(`${server.url}/.well-known/oauth-authorization-server`, { headers: { traceparent: TRACEPARENT, 'x-request-id': 'tp-valid' } });
    await until(() => server.logs().some((l) => l.request_id === 'tp-valid' && l.msg === 'request completed'));
    const line = server.logs().find((l) => l.request_id === 'tp-valid' && l.msg === 'request completed');
    expect(line).toMatchObject({ trace_id: TRACE, parent_span_id: '00f067aa0ba902b7', span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(line?.span_id).not.toBe('00f067aa0ba902b7');
  });

  it.each([
    ['version ff', `ff-${TRACE}-00f067aa0ba902b7-01`],
    ['uppercase hex', `00-${TRACE.toUpperCase()}-00f067aa0ba902b7-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['a short span id', `00-${TRACE}-00f067aa0ba902-01`],
  ])('an invalid one (%s) is replaced by a new trace', async (_name, traceparent) => {
    const id = `tp-${Math.random().toString(36).slice(2)}`;
    await fetch(`${server.url}/.well-known/oauth-authorization-server`, { headers: { traceparent, 'x-request-id': id } });
    await until(() => server.logs().some((l) => l.request_id === id));
    const line = server.logs().find((l) => l.request_id === id);
    expect(line?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(line?.trace_id).not.toBe(TRACE);
    expect(line?.trace_id).not.toBe('0'.repeat(32));
  });
});

describe('PUT /admin/log-level (ADMIN_TOKEN)', () => {
  const server = serverForSuite({ env: { ADMIN_TOKEN } });
  const admin = (init: RequestInit = {}, token = ADMIN_TOKEN) =>
    fetch(`${server.url}/admin/log-level`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });

  it('GET answers the current level in LOG_LEVEL syntax', async () => {
    const response = await admin();
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ level: 'info' });
  });

  it('RFC 6750 §3: no token, a wrong one, or another scheme is a 401 with WWW-Authenticate: Bearer, and changes nothing', async () => {
    const attempts = [
      fetch(`${server.url}/admin/log-level`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"level":"trace"}' }),
      admin({ method: 'PUT', body: '{"level":"trace"}' }, ADMIN_TOKEN.slice(0, -1)),
      admin({ method: 'PUT', body: '{"level":"trace"}' }, `${ADMIN_TOKEN}x`),
      fetch(`${server.url}/admin/log-level`, { method: 'PUT', headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`, 'content-type': 'application/json' }, body: '{"level":"trace"}' }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="tsforge-admin"/);
      expect(await response.json()).toMatchObject({ error_description: 'a valid admin bearer token is required' });
    }
    expect(await (await admin()).json()).toEqual({ level: 'info' });
  });

  it('changes the level of the running server at once, module levels included, and logs the change', async () => {
    const response = await admin({ method: 'PUT', body: JSON.stringify({ level: 'warn,storage=debug' }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ level: 'warn,storage=debug' });
    await until(() => server.logs().some((l) => l.msg === 'log level changed' && l.via === 'admin'));
    expect(server.logs().find((l) => l.msg === 'log level changed')).toMatchObject({ level: 'warn', from: 'info', to: 'warn,storage=debug' });
    // At warn, a successful request writes no access line.
    await fetch(`${server.url}/.well-known/oauth-authorization-server`, { headers: { 'x-request-id': 'at-warn' } });
    await new Promise((r) => setTimeout(r, 100));
    expect(server.logs().some((l) => l.request_id === 'at-warn')).toBe(false);

    await admin({ method: 'PUT', body: '{"level":"info"}' });
    await fetch(`${server.url}/.well-known/oauth-authorization-server`, { headers: { 'x-request-id': 'at-info' } });
    await until(() => server.logs().some((l) => l.request_id === 'at-info'));
  });

  it.each([
    ['an unknown level', '{"level":"loud"}', /level must be one of/],
    ['a bad module level', '{"level":"info,storage=loud"}', /level must be one of/],
    ['no level', '{}', /the body must be JSON/],
    ['a number', '{"level":3}', /the body must be JSON/],
  ])('%s is a 400 invalid_request and changes nothing', async (_name, body, description) => {
    const response = await admin({ method: 'PUT', body });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_request', error_description: expect.stringMatching(description) });
    expect(await (await admin()).json()).toEqual({ level: 'info' });
  });
});

describe('log level without ADMIN_TOKEN, and by signal', () => {
  it('no ADMIN_TOKEN: no admin endpoint; SIGUSR2 steps info → debug → trace → info, each change logged', async () => {
    const server = await startTsforge();
    try {
      expect((await fetch(`${server.url}/admin/log-level`)).status).toBe(404);
      const changes = () => server.logs().filter((l) => l.msg === 'log level changed');
      for (const [n, to] of [[1, 'debug'], [2, 'trace'], [3, 'info']] as const) {
        server.child.kill('SIGUSR2');
        await until(() => changes().length === n);
        expect(changes()[n - 1]).toMatchObject({ via: 'SIGUSR2', to });
      }
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
  });

  it('a short ADMIN_TOKEN is a configuration error at startup', async () => {
    const dataDir = tempDataDir();
    const result = await runCli(['serve', '--port', '0'], { dataDir, env: { ADMIN_TOKEN: 'short' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ADMIN_TOKEN must be 32/);
    expect(result.stderr).not.toContain('short');
    removeDir(dataDir);
  });

  it('LOG_DIR: the server writes its lines to a file, and they are all there after SIGTERM', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'tsforge-logs-'));
    const server = await startTsforge({ env: { LOG_DIR: logDir, LOG_STDOUT: '1' } });
    await fetch(`${server.url}/.well-known/oauth-authorization-server`, { headers: { 'x-request-id': 'to-file' } });
    await until(() => server.logs().some((l) => l.request_id === 'to-file'));
    expect(await server.stop()).toBe(0);
    const lines = readFileSync(join(logDir, 'app.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['listening', 'request completed', 'stopped']));
    expect(lines.at(-1)?.msg).toBe('stopped');
    removeDir(server.dataDir);
    removeDir(logDir);
  });
});
