// npm run bench, part 2: what tsforge's request plumbing costs. One hello route served by
//   - bare Fastify (the baseline, measured first and last),
//   - Fastify with tsforge's real plugins: request ids and context, the access log (JSON to
//     /dev/null), HTTP metrics (with process metrics), and a /metrics route,
//   - the same without the access log (level "warn"), to separate logging from the rest,
//   - Express 5 with pino-http (to /dev/null) and express-prom-bundle, the popular equivalent.
// Each server runs in its own process; autocannon sends traffic to 127.0.0.1 only, bounded in
// time. Figures are ratios to bare Fastify in the same run.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const HELLO = { hello: 'world' };

const SERVERS = {
  async fastify() {
    const { default: Fastify } = await import('fastify');
    const app = Fastify({ logger: false });
    app.get('/hello', async () => HELLO);
    return listenFastify(app);
  },

  async tsforge({ level = 'info' } = {}) {
    const { default: Fastify } = await import('fastify');
    const { createLogger, RequestContext } = await import('../packages/logging/dist/index.js');
    const { Metrics, HttpMetrics } = await import('../packages/metrics/dist/index.js');
    const { installRequestContext } = await import('../packages/server/dist/plugins/request-context.js');
    const { installHttpMetrics, observeRequest } = await import('../packages/server/dist/plugins/http-metrics.js');
    const context = new RequestContext();
    const logger = createLogger({ level, format: 'json', destination: openSync('/dev/null', 'w'), context, base: { service: 'tsforge' } });
    const metrics = new Metrics();
    const http = new HttpMetrics(metrics);
    const app = Fastify({ logger: false });
    installRequestContext(app, { logger, context, inFlight: new WeakMap(), onCompleted: observeRequest(http) });
    installHttpMetrics(app, metrics, http);
    app.get('/hello', async () => HELLO);
    return listenFastify(app);
  },

  async 'tsforge-no-access-log'() {
    return SERVERS.tsforge({ level: 'warn' });
  },

  async express() {
    const { default: express } = await import('express');
    const { default: pinoHttp } = await import('pino-http');
    const { default: pino } = await import('pino');
    const { default: promBundle } = await import('express-prom-bundle');
    const app = express();
    app.use(promBundle({ includeMethod: true, includePath: true, includeStatusCode: true, promClient: { collectDefaultMetrics: {} } }));
    app.use(pinoHttp({ logger: pino(pino.destination({ dest: '/dev/null', sync: true })) }));
    app.get('/hello', (_req, res) => res.json(HELLO));
    const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    return `http://127.0.0.1:${server.address().port}`;
  },
};

async function listenFastify(app) {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${app.server.address().port}`;
}

function start(kind) {
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), fileURLToPath(import.meta.url), '--serve', kind], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { PATH: process.env.PATH },
  });
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', (line) => resolve({ child, url: JSON.parse(line).url }));
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); });
}

async function measure(name, kind) {
  // Loaded here, not at the top: the server processes must not carry the load generator.
  const { default: autocannon } = await import('autocannon');
  const { child, url } = await start(kind);
  try {
    await autocannon({ url: `${url}/hello`, connections: CONNECTIONS, duration: 1 }); // warm-up
    const result = await autocannon({ url: `${url}/hello`, connections: CONNECTIONS, duration: DURATION });
    const failed = result.non2xx + result.errors;
    if (failed) throw new Error(`${name}: ${failed} failed requests`);
    return { name, rps: result.requests.average, p99: result.latency.p99 };
  } finally {
    await stop(child);
  }
}

if (process.argv[2] === '--serve') {
  const url = await SERVERS[process.argv[3]]();
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  process.on('SIGTERM', () => process.exit(0));
} else {
  const rows = [];
  rows.push(await measure('bare Fastify (baseline)', 'fastify'));
  rows.push(await measure('Fastify + tsforge request ids, access log, metrics', 'tsforge'));
  rows.push(await measure('Fastify + tsforge request ids, metrics (access log off)', 'tsforge-no-access-log'));
  rows.push(await measure('Express 5 + pino-http + express-prom-bundle', 'express'));
  rows.push(await measure('bare Fastify (baseline, again)', 'fastify'));
  const base = (rows[0].rps + rows.at(-1).rps) / 2;
  console.log(`\nGET /hello, ${DURATION}s per target after 1s warm-up, ${CONNECTIONS} connections, node ${process.version}; baseline = mean of the two bare Fastify runs\n`);
  console.log('| target | req/s | p99 ms | ratio to bare Fastify |');
  console.log('|---|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.name} | ${Math.round(r.rps)} | ${r.p99} | ${(r.rps / base).toFixed(3)} |`);
  const full = rows[1].rps / base;
  console.log(`\ntarget: the full tsforge stack keeps >= 0.80 of bare Fastify: ${full.toFixed(3)} ${full >= 0.8 ? 'met' : 'NOT met'}`);
}
