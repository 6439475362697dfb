import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge as PromGauge } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpMetrics, UNMATCHED_ROUTE, httpMetricsMiddleware, metricsHandler, type Metrics } from '../src/index.js';
import { checkExposition, seriesCount } from './exposition-parser.js';
import { metrics } from './helpers.js';

// A tiny Express-style app: an ordered list of (req, res, next) handlers and a router that sets
// `req.route` to the template it matched, as Express does.
type Req = IncomingMessage & { route?: string };
type Handler = (req: Req, res: ServerResponse, next: () => void) => void;

const ROUTES: [RegExp, string, (req: Req, res: ServerResponse) => void][] = [
  [/^\/users\/[^/]+$/, '/users/:id', (_req, res) => res.end('user')],
  [/^\/slow$/, '/slow', () => { /* never answers: the client gives up */ }],
];

function router(m: Metrics): Handler {
  const scrape = metricsHandler(m);
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (path === '/metrics') {
      req.route = '/metrics';
      return scrape(req, res);
    }
    const hit = ROUTES.find(([pattern]) => pattern.test(path));
    if (!hit) return res.writeHead(404).end('not found');
    req.route = hit[1];
    hit[2](req, res);
  };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

async function app(): Promise<{ url: string; m: Metrics; http: HttpMetrics }> {
  const m = metrics({ processMetrics: false });
  const http = new HttpMetrics(m);
  const chain: Handler[] = [httpMetricsMiddleware<Req>(http, { route: (req) => req.route }), router(m)];
  const server = createServer((req, res) => {
    let i = 0;
    const next = () => chain[i++]?.(req as Req, res, next);
    next();
  });
  http.trackConnections(server);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, m, http };
}

async function scrape(url: string, accept?: string) {
  const response = await fetch(`${url}/metrics`, accept ? { headers: { accept } } : {});
  const body = await response.text();
  return { response, body, families: checkExposition(response.headers.get('content-type'), body) };
}

describe('httpMetricsMiddleware on a node:http server with Express-style handlers', () => {
  it('labels by the route template the router resolved, not the URL', async () => {
    const { url } = await app();
    await fetch(`${url}/users/42`);
    await fetch(`${url}/users/43?x=1`);
    const { families } = await scrape(url);
    const requests = families.get('http_requests_total')!.samples;
    expect(requests.map((s) => s.labels)).toEqual([{ method: 'GET', route: '/users/:id', status: '200' }]);
    expect(requests[0]?.value).toBe(2);
    expect(families.get('active_connections')?.samples[0]?.value).toBeGreaterThanOrEqual(1);
  });

  it('10,000 requests to /nope/<random>, /.env and /wp-admin/setup-config.php add one unmatched series, not one per URL', async () => {
    const { url } = await app();
    await fetch(`${url}/users/1`);
    const before = (await scrape(url)).families;
    const paths = ['/.env', '/wp-admin/setup-config.php'];
    for (let i = 0; i < 10_000; i++) paths.push(`/nope/${i}-${Math.random().toString(36).slice(2)}`);
    for (let i = 0; i < paths.length; i += 50) {
      await Promise.all(paths.slice(i, i + 50).map((p) => fetch(url + p).then((r) => r.arrayBuffer())));
    }
    const after = (await scrape(url)).families;
    const unmatched = after.get('http_requests_total')!.samples.filter((s) => s.labels.route === UNMATCHED_ROUTE);
    expect(unmatched).toEqual([{ name: 'http_requests_total', labels: { method: 'GET', route: UNMATCHED_ROUTE, status: '404' }, value: 10_002 }]);
    // The scrapes themselves add the /metrics series; everything else is the one unmatched label set.
    const metricsSeries = (f: typeof after) => f.get('http_requests_total')!.samples.filter((s) => s.labels.route === '/metrics').length;
    expect(seriesCount(after, 'http_requests_total')).toBe(seriesCount(before, 'http_requests_total') + 1 + metricsSeries(after) - metricsSeries(before));
    const durationSeriesPerLabelSet = 14; // 11 buckets, +Inf, _sum, _count
    expect(seriesCount(after, 'http_request_duration_seconds')).toBe(seriesCount(after, 'http_requests_total') * durationSeriesPerLabelSet);
  });

  it('counts a request whose client hung up before any response as 499, with its route', async () => {
    const { url, http } = await app();
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${url}/slow`);
      req.on('error', () => resolve());
      req.end();
      setTimeout(() => req.destroy(), 50);
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(await http.requests.get({ method: 'GET', route: '/slow', status: '499' })).toBe(1);
  });

  it('needs a route resolver', () => {
    const http = new HttpMetrics(metrics({ processMetrics: false }));
    expect(() => httpMetricsMiddleware(http, {} as never)).toThrow(TypeError);
  });
});

describe('metricsHandler: /metrics for node:http', () => {
  it('serves text 0.0.4 by default and OpenMetrics 1.0 when preferred, each with its exact type, uncached', async () => {
    const { url } = await app();
    const text = await scrape(url);
    expect(text.response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text.response.headers.get('cache-control')).toBe('no-store');
    expect(text.response.headers.get('vary')).toBe('Accept');
    const om = await scrape(url, 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1');
    expect(om.response.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(om.body.endsWith('# EOF\n')).toBe(true);
    expect(om.families.get('http_requests')?.type).toBe('counter');
  });

  it('answers 500 without the error text when a collect callback throws, and keeps serving', async () => {
    const { url, m } = await app();
    let fail = true;
    new PromGauge({ name: 'flaky', help: 'F.', registers: [m.registry], collect() { if (fail) throw new Error('secret internals at /srv/app.js:12'); } });
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('metrics collection failed\n');
    fail = false;
    expect((await scrape(url)).families.has('flaky')).toBe(true);
  });

  it('answers HEAD with the headers and no body', async () => {
    const { url } = await app();
    const response = await fetch(`${url}/metrics`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toBe('');
  });
});
