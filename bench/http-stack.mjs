// npm run bench, part 2: what tsforge's request plumbing costs. One hello route served by
//   - bare Fastify (the baseline),
//   - Fastify with tsforge's real plugins: request ids and context, the access log (JSON to
//     /dev/null), HTTP metrics (with process metrics), and a /metrics route,
//   - the same without the access log (level "warn"), to separate logging from the rest,
//   - Express 5 with pino-http (to /dev/null) and express-prom-bundle, the popular equivalent.
// Each server runs in its own process; autocannon sends traffic to 127.0.0.1 only, bounded in
// time. Figures are ratios to bare Fastify in the same run. Besides req/s (which the load
// generator and whatever else runs on the machine share), the server's own CPU time per request
// is read from /proc: it is much less sensitive to a noisy neighbour.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './proc.mjs';

const DURATION = Number(process.env.BENCH_DURATION ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
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

async function run(url, duration) {
  // Loaded here, not at the top: the server processes must not carry the load generator.
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({ url: `${url}/hello`, connections: CONNECTIONS, duration });
  const failed = result.non2xx + result.errors;
  if (failed) throw new Error(`${url}: ${failed} failed requests`);
  return result;
}


const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (process.argv[2] === '--serve') {
  const url = await SERVERS[process.argv[3]]();
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  process.on('SIGTERM', () => process.exit(0));
} else {
  const TARGETS = [
    ['bare Fastify (baseline)', 'fastify'],
    ['Fastify + tsforge request ids, access log, metrics', 'tsforge'],
    ['Fastify + tsforge request ids, metrics (access log off)', 'tsforge-no-access-log'],
    ['Express 5 + pino-http + express-prom-bundle', 'express'],
  ];
  const servers = [];
  try {
    for (const [, kind] of TARGETS) servers.push(await start(kind));
    for (const { url } of servers) await run(url, 1); // warm-up
    // The machine is shared and its load drifts: short rounds over all targets, each round's
    // ratios taken against that round's baseline, and the median of the rounds reported.
    const rps = TARGETS.map(() => []);
    const p99 = TARGETS.map(() => []);
    const cpu = TARGETS.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < TARGETS.length; i++) {
        const before = cpuSeconds(servers[i].child.pid);
        const result = await run(servers[i].url, DURATION);
        const after = cpuSeconds(servers[i].child.pid);
        rps[i].push(result.requests.average);
        p99[i].push(result.latency.p99);
        if (before !== undefined && after !== undefined) cpu[i].push(((after - before) * 1e6) / result.requests.total);
      }
    }
    console.log(`\nGET /hello, ${ROUNDS} rounds of ${DURATION}s per target, ${CONNECTIONS} connections, node ${process.version}; ratios are medians over rounds against that round's bare Fastify\n`);
    console.log('| target | req/s (median) | p99 ms | req/s ratio | server CPU µs/request | CPU ratio |');
    console.log('|---|---:|---:|---:|---:|---:|');
    const ratios = TARGETS.map((_, i) => median(rps[i].map((r, round) => r / rps[0][round])));
    const cpuRatios = TARGETS.map((_, i) => (cpu[i].length ? median(cpu[i].map((c, round) => c / cpu[0][round])) : NaN));
    TARGETS.forEach(([name], i) => console.log(
      `| ${name} | ${Math.round(median(rps[i]))} | ${median(p99[i])} | ${ratios[i].toFixed(3)} | ${cpu[i].length ? median(cpu[i]).toFixed(1) : 'n/a'} | ${cpuRatios[i].toFixed(2)} |`,
    ));
    console.log(`\ntarget: the full tsforge stack keeps >= 0.80 of bare Fastify: ${ratios[1].toFixed(3)} ${ratios[1] >= 0.8 ? 'met' : 'NOT met'}`);
  } finally {
    await Promise.all(servers.map(({ child }) => stop(child)));
  }
}
