// Run after `npx tsc -b packages/metrics`: node packages/metrics/examples/node-http.mjs
// HTTP metrics for a plain node:http server (the same middleware works in Express: app.use(...)).
import { createServer } from 'node:http';
import { HttpMetrics, Metrics, httpMetricsMiddleware, metricsHandler } from '../dist/index.js';

const metrics = new Metrics();
const http = new HttpMetrics(metrics);

// Your router decides the route *template*; unmatched requests return undefined and share one label value.
const routes = [
  { template: '/users/:id', pattern: /^\/users\/[^/]+$/, handle: (_req, res) => res.end('a user\n') },
  { template: '/metrics', pattern: /^\/metrics$/, handle: metricsHandler(metrics) },
];
const countRequest = httpMetricsMiddleware(http, { route: (req) => req.routeTemplate });

const server = createServer((req, res) => {
  countRequest(req, res);
  const route = routes.find((r) => r.pattern.test(new URL(req.url, 'http://x').pathname));
  if (!route) return res.writeHead(404).end('not found\n');
  req.routeTemplate = route.template;
  route.handle(req, res);
});
http.trackConnections(server);

await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

await fetch(`${base}/users/1`);
await fetch(`${base}/users/2`);
await fetch(`${base}/wp-admin/setup-config.php`);
await fetch(`${base}/.env`);
const scrape = await fetch(`${base}/metrics`);
console.log(scrape.headers.get('content-type'));
const body = await scrape.text();
console.log(body.split('\n').filter((line) => line.startsWith('http_requests_total')).join('\n'));

server.closeAllConnections();
server.close();
metrics.close();
