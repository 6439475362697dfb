// Express 5 is a dependency of the bench workspace (hoisted to the root); the middleware is tested
// in a real Express app here because Express is where most node:http users are.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpMetrics, UNMATCHED_ROUTE, httpMetricsMiddleware, metricsHandler } from '../src/index.js';
import { checkExposition } from './exposition-parser.js';
import { metrics } from './helpers.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('httpMetricsMiddleware in an Express 5 app', () => {
  it('labels by req.route.path, unmatched probes share one value, /metrics has the exact content type', async () => {
    const m = metrics({ processMetrics: false });
    const http = new HttpMetrics(m);
    const app = express();
    app.use(httpMetricsMiddleware(http, { route: (req) => (req as express.Request).route?.path }));
    app.get('/users/:id', (_req, res) => { res.send('user'); });
    app.post('/users', (_req, res) => { res.status(201).send('created'); });
    app.get('/metrics', metricsHandler(m));
    const server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    servers.push(server);
    http.trackConnections(server);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    for (const path of ['/users/1', '/users/2', '/.env', '/wp-admin/setup-config.php', '/nope/123']) await (await fetch(base + path)).arrayBuffer();
    await (await fetch(`${base}/users`, { method: 'POST' })).arrayBuffer();
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = checkExposition(response.headers.get('content-type'), await response.text());
    expect(families.get('http_requests_total')!.samples.map((s) => [s.labels.method, s.labels.route, s.labels.status, s.value])).toEqual([
      ['GET', '/users/:id', '200', 2],
      ['GET', UNMATCHED_ROUTE, '404', 3],
      ['POST', '/users', '201', 1],
    ]);
  });
});
