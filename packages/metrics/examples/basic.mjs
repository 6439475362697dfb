// Run after `npx tsc -b packages/metrics`: node packages/metrics/examples/basic.mjs
import { createServer } from 'node:http';
import { HttpMetrics, Metrics } from '../dist/index.js';

const metrics = new Metrics({ defaultLabels: { service: 'example' } });
const http = new HttpMetrics(metrics);
const jobs = metrics.counter({ name: 'jobs_processed_total', help: 'Jobs processed.', labelNames: ['result'] });

const routes = {
  '/hello': () => ({ status: 200, body: 'hello\n' }),
  '/metrics': async () => {
    const { contentType, body } = await metrics.scrape();
    return { status: 200, body, contentType };
  },
};

const server = createServer(async (req, res) => {
  const started = process.hrtime.bigint();
  const route = Object.hasOwn(routes, req.url ?? '') ? req.url : undefined;
  const answer = route ? await routes[route]() : { status: 404, body: 'not found\n' };
  res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'text/plain' }).end(answer.body);
  res.on('finish', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    http.observe({ method: req.method ?? '', route, status: res.statusCode, seconds });
  });
});
server.on('connection', (socket) => {
  http.connectionOpened();
  socket.on('close', () => http.connectionClosed());
});

await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

jobs.inc({ result: 'ok' });
await fetch(`${base}/hello`);
await fetch(`${base}/no/such/page`, { method: 'PROPFIND' });
const scrape = await fetch(`${base}/metrics`);
console.log(scrape.headers.get('content-type'));
const text = await scrape.text();
console.log(text.split('\n').filter((line) => /^(http_requests|active_|jobs_)/.test(line)).join('\n'));

server.close();
server.closeAllConnections();
metrics.close();
