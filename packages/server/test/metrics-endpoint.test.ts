import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { basic, createClient, getToken, serverForSuite, withTsforge, type Client } from './support/tsforge.js';
import { sampleValue, scrapeMetrics } from './support/metrics.js';

const PROMETHEUS_2_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('/metrics of a running server', () => {
  const server = serverForSuite();
  let client: Client;

  beforeAll(async () => {
    client = await createClient(server.dataDir);
  });

  it('serves Prometheus text 0.0.4 by default and OpenMetrics 1.0 to a scraper that prefers it', async () => {
    const text = await scrapeMetrics(server.url);
    expect(text.response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text.response.headers.get('cache-control')).toBe('no-store');
    expect(text.response.headers.get('vary')).toBe('Accept');
    expect(text.families.get('http_requests_total')?.type).toBe('counter');

    const om = await scrapeMetrics(server.url, { headers: { accept: PROMETHEUS_2_ACCEPT } });
    expect(om.response.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(om.text.endsWith('# EOF\n')).toBe(true);
    expect(om.families.get('http_requests')?.samples.some((s) => s.name === 'http_requests_total')).toBe(true);
    // And the text format is unchanged after an OpenMetrics scrape.
    expect((await scrapeMetrics(server.url)).families.get('http_requests_total')?.type).toBe('counter');
  });

  it('exports the OAuth2 and storage families from the start, with HELP and TYPE', async () => {
    const { families } = await scrapeMetrics(server.url);
    for (const name of ['oauth2_tokens_issued_total', 'oauth2_token_errors_total', 'storage_bytes_written_total', 'storage_bytes_read_total']) {
      expect(families.get(name), name).toMatchObject({ type: 'counter', help: expect.stringMatching(/\S/) });
    }
  });

  it('counts tokens issued by grant and token errors by RFC 6749 §5.2 error code, with bounded labels', async () => {
    const before = (await scrapeMetrics(server.url)).families;
    await getToken(server.url, client);
    await fetch(`${server.url}/oauth/token`, {
      method: 'POST', headers: { ...form, authorization: basic(client.client_id, `${client.client_secret}x`) }, body: 'grant_type=client_credentials',
    });
    await fetch(`${server.url}/oauth/token`, {
      method: 'POST', headers: { ...form, authorization: basic(client.client_id, client.client_secret) }, body: 'grant_type=evil%22%7Bx%3D%221',
    });
    await fetch(`${server.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'text/plain;;;' }, body: 'x' });
    const after = (await scrapeMetrics(server.url)).families;
    const delta = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta('oauth2_tokens_issued_total', { grant: 'client_credentials' })).toBe(1);
    expect(delta('oauth2_token_errors_total', { error: 'invalid_client' })).toBe(1);
    expect(delta('oauth2_token_errors_total', { error: 'unsupported_grant_type' })).toBe(1);
    expect(delta('oauth2_token_errors_total', { error: 'invalid_request' })).toBe(1);
    const grants = after.get('oauth2_tokens_issued_total')!.samples.map((s) => s.labels.grant);
    // Only the enabled grants (at 0 from the start): the made-up one made no series.
    expect(grants.sort()).toEqual(['authorization_code', 'client_credentials', 'refresh_token']);
  });

  it('is never rate-limited: 300 scrapes in a burst all answer 200', async () => {
    const statuses: number[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const responses = await Promise.all(Array.from({ length: 50 }, () => fetch(`${server.url}/metrics`)));
      for (const r of responses) {
        statuses.push(r.status);
        await r.arrayBuffer();
      }
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});

describe('/metrics behind credentials (METRICS_AUTH_TOKEN, METRICS_BASIC_AUTH)', () => {
  const TOKEN = 'scrape-token-0123456789abcdef';

  it('RFC 6750 §3: without the bearer token, 401 with a Bearer challenge; with it, the exposition', async () => {
    await withTsforge({ env: { METRICS_AUTH_TOKEN: TOKEN } }, async (server) => {
      for (const authorization of [undefined, 'Bearer wrong-token-0123456789abcdef', `Bearer ${TOKEN}x`, `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`, TOKEN]) {
        const response = await fetch(`${server.url}/metrics`, authorization ? { headers: { authorization } } : {});
        expect(response.status, String(authorization)).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="metrics"/);
        expect(await response.json()).toMatchObject({ error_description: 'valid scrape credentials are required' });
      }
      const ok = await scrapeMetrics(server.url, { headers: { authorization: `bearer ${TOKEN}` } });
      expect(ok.families.has('http_requests_total')).toBe(true);
      expect(ok.text).not.toContain(TOKEN);
      // Other routes are not affected.
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      expect(server.lines.join('\n')).not.toContain(TOKEN);
    });
  });

  it('RFC 7617: basic credentials user:password, wrong ones refused with a Basic challenge', async () => {
    await withTsforge({ env: { METRICS_BASIC_AUTH: 'prometheus:correct horse battery' } }, async (server) => {
      const auth = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
      for (const headers of [{}, auth('prometheus', 'wrong password!!'), auth('other', 'correct horse battery'), { authorization: 'Basic !!!' }]) {
        const response = await fetch(`${server.url}/metrics`, { headers });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Basic realm="metrics", charset="UTF-8"');
      }
      await scrapeMetrics(server.url, { headers: auth('prometheus', 'correct horse battery') });
    });
  });

  it.each([
    [{ METRICS_AUTH_TOKEN: 'short' }, /at least 16/],
    [{ METRICS_AUTH_TOKEN: 'has spaces in it, 0123456789' }, /bearer token/],
    [{ METRICS_BASIC_AUTH: 'nocolon' }, /user:password/],
    [{ METRICS_BASIC_AUTH: ':password-without-user' }, /user:password/],
    [{ METRICS_BASIC_AUTH: 'user:short' }, /at least 12/],
    [{ METRICS_AUTH_TOKEN: TOKEN, METRICS_BASIC_AUTH: 'user:correct horse battery' }, /not both/],
  ])('refuses the configuration %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('parses both variables', () => {
    expect(loadConfig({}).metricsAuth).toBeUndefined();
    expect(loadConfig({ METRICS_AUTH_TOKEN: TOKEN }).metricsAuth).toEqual({ scheme: 'bearer', token: TOKEN });
    expect(loadConfig({ METRICS_BASIC_AUTH: 'prom:pass:with:colons' }).metricsAuth).toEqual({ scheme: 'basic', user: 'prom', password: 'pass:with:colons' });
  });
});
