// The pieces of tsforge's per-request plumbing, each timed alone in one process (no sockets), to
// see which of them bench/http-stack.mjs's extra CPU per request comes from. Median of rounds;
// the machine is shared, so only differences of ~0.1 µs and more mean anything.
//   node bench/request-plumbing.mjs
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { openSync } from 'node:fs';
import { createLineWriter, createLogger, generateSpanId, generateTraceId, requestFields, RequestContext } from '../packages/logging/dist/index.js';
import { HttpMetrics, Metrics } from '../packages/metrics/dist/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const N = 200_000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** ns per call; every 500 calls the event loop turns, so a logger's batch is written as in a server. */
async function time(fn) {
  for (let i = 0; i < 20_000; i++) fn();
  await turn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    fn();
    if (i % 500 === 499) await turn();
  }
  return Number(process.hrtime.bigint() - start) / N;
}

const context = new RequestContext();
const logger = createLogger({ format: 'json', destination: openSync('/dev/null', 'w'), context, base: { service: 'tsforge' } });
const ACCESS_KEYS = ['request_id', 'trace_id', 'span_id', 'parent_span_id', 'method', 'route', 'path', 'status', 'duration_ms', 'aborted'];
const writeLine = createLineWriter(logger, ACCESS_KEYS);
const http = new HttpMetrics(new Metrics());
const headers = { host: '127.0.0.1:3000', connection: 'keep-alive', 'user-agent': 'autocannon' };
const fields = requestFields(headers);
const line = () => ({
  request_id: fields.request_id, trace_id: fields.trace_id, span_id: fields.span_id, parent_span_id: undefined,
  method: 'GET', route: '/hello', path: '/hello', status: 200, duration_ms: 0.123, aborted: undefined,
});

// Three promises and a tick, roughly what an async Fastify handler and Node's HTTP response make.
const asyncWork = () => Promise.resolve(1).then((x) => x).then(() => new Promise((resolve) => process.nextTick(resolve)));
const storage = new AsyncLocalStorage();
async function asyncRounds(inContext) {
  const run = async () => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < N / 10; i++) await asyncWork();
    return Number(process.hrtime.bigint() - start) / (N / 10);
  };
  return inContext ? storage.run({ request_id: 'x' }, run) : run();
}

const CASES = [
  ['trace + span id, randomBytes (before)', () => randomBytes(16).toString('hex') + randomBytes(8).toString('hex')],
  ['trace + span id, pooled entropy', () => generateTraceId() + generateSpanId()],
  ['requestFields(headers)', () => requestFields(headers)],
  ['access line, logger.info (before)', () => logger.info(line(), 'request completed')],
  ['access line, createLineWriter', () => writeLine('info', line(), 'request completed')],
  ['HttpMetrics.observe', () => http.observe({ method: 'GET', route: '/hello', status: 200, seconds: 0.0001 })],
];

const results = new Map();
const record = (name, ns) => results.set(name, [...(results.get(name) ?? []), ns]);
// AsyncLocalStorage: once a store has been entered, every later promise and tick in the process
// pays an init hook (Node 20 has no AsyncContextFrame), so the rounds without it come first.
for (let round = 0; round < ROUNDS; round++) record('3 promises + 1 tick, AsyncLocalStorage never used', await asyncRounds(false));
for (let round = 0; round < ROUNDS; round++) record('3 promises + 1 tick, inside AsyncLocalStorage.run', await asyncRounds(true));
for (let round = 0; round < ROUNDS; round++) for (const [name, fn] of CASES) record(name, await time(fn));
console.log(`\nper call, median of ${ROUNDS} rounds, node ${process.version}\n`);
console.log('| piece | ns/call |');
console.log('|---|---:|');
for (const [name, xs] of results) console.log(`| ${name} | ${Math.round(median(xs))} |`);
