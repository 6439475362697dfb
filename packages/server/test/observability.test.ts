import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { basic, createClient, getToken, serverForSuite, until, type Client } from './support/tsforge.js';
import { requireTool, sampleValue, scrapeMetrics } from './support/metrics.js';

describe('logs and metrics of a running server', () => {
  const server = serverForSuite();
  let client: Client;
  let token: string;

  beforeAll(async () => {
    client = await createClient(server.dataDir);
    token = await getToken(server.url, client);
  });

  it('writes one access line per request with request_id, method, route, status, duration_ms', async () => {
    const response = await fetch(`${server.url}/api/files/x.txt`, {
      method: 'PUT', headers: { authorization: `Bearer ${token}`, 'x-request-id': 'trace-abc.123' }, body: 'x',
    });
    expect(response.headers.get('x-request-id')).toBe('trace-abc.123');
    await new Promise((r) => setTimeout(r, 50));
    const lines = server.logs().filter((l) => l.request_id === 'trace-abc.123');
    const access = lines.find((l) => l.msg === 'request completed');
    expect(access).toMatchObject({ level: 'info', method: 'PUT', route: '/api/files/*', status: 201, duration_ms: expect.any(Number) });
    // A line written deep inside the handler, after awaits, carries the same id.
    expect(lines.find((l) => l.msg === 'file stored')).toMatchObject({ key: 'x.txt', size: 1 });
  });

  it('logs and counts a download the client abandons mid-stream', async () => {
    await fetch(`${server.url}/api/files/big.bin`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: Buffer.alloc(8 * 1024 * 1024) });
    const downloads = { method: 'GET', route: '/api/files/*', status: '200' };
    const before = sampleValue((await scrapeMetrics(server.url)).families, 'http_requests_total', downloads);
    const { hostname, port } = new URL(server.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(`GET /api/files/big.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nX-Request-Id: abandon-1\r\n\r\n`);
      });
      socket.once('data', () => { socket.destroy(); resolve(); });
      socket.on('error', reject);
    });
    await until(() => server.logs().some((l) => l.request_id === 'abandon-1' && l.status === 200));
    expect(server.logs().find((l) => l.request_id === 'abandon-1')).toMatchObject({ route: '/api/files/*', status: 200, aborted: true });
    expect(sampleValue((await scrapeMetrics(server.url)).families, 'http_requests_total', downloads)).toBe(before + 1);
  });

  it('replaces request ids that are not sane tokens', async () => {
    // A 10 KB value, a tab (fetch allows it in a header) and quote/space/non-ASCII injections.
    for (const bad of ['spoofed" injected="1', 'x'.repeat(10 * 1024), 'tab\tinside', 'a b', 'ü']) {
      const response = await fetch(`${server.url}/oauth/jwks`, { headers: { 'x-request-id': bad } });
      const echoed = response.headers.get('x-request-id')!;
      expect(echoed).not.toBe(bad);
      expect(echoed).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
      await until(() => server.logs().some((l) => l.request_id === echoed));
    }
    expect(server.logs().some((l) => typeof l.request_id === 'string' && /[\t" ü]|x{129}/.test(l.request_id))).toBe(false);
    const generated = (await fetch(`${server.url}/health`)).headers.get('x-request-id');
    expect(generated).toMatch(/^[A-Za-z0-9._:-]{8,128}$/);
  });

  it('never writes a secret, a token or a signature to the log', async () => {
    await fetch(`${server.url}/oauth/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'session=cookie-secret-value' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret }).toString(),
    });
    await fetch(`${server.url}/oauth/token`, {
      method: 'POST', headers: { authorization: basic(client.client_id, client.client_secret + 'x'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    await fetch(`${server.url}/api/files/s.txt`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: 's' });
    const { url } = (await (await fetch(`${server.url}/api/files/s.txt/signed-url`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).json()) as { url: string };
    await fetch(url);
    const signature = new URL(url).searchParams.get('signature')!;
    await new Promise((r) => setTimeout(r, 50));
    const all = server.lines.join('\n') + server.stderr();
    for (const secret of [client.client_secret, token, signature, 'cookie-secret-value']) expect(all).not.toContain(secret);
  });

  it('labels metrics by route template; unmatched requests share one value', async () => {
    for (let i = 0; i < 50; i++) await fetch(`${server.url}/nope/${Math.random().toString(36).slice(2)}`);
    await fetch(`${server.url}/.env`);
    await fetch(`${server.url}/wp-admin/setup-config.php`);
    const { text } = await scrapeMetrics(server.url);
    const routes = new Set([...text.matchAll(/http_requests_total\{[^}]*route="([^"]*)"/g)].map((m) => m[1]));
    expect(routes).toContain('/api/files/*');
    expect([...routes].some((r) => r!.includes('nope') || r!.includes('.env') || r!.includes('wp-admin'))).toBe(false);
    expect(text).toMatch(/http_requests_total\{method="GET",route="<unmatched>",status="404"\} 52/);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{[^}]*le="\+Inf"/);
  });

  it('passes promtool check metrics', async (ctx) => {
    const promtool = requireTool(ctx, 'promtool');
    const { text } = await scrapeMetrics(server.url);
    const result = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  });
});

