// Cost of one log call against bare pino, to keep the redaction walk and the request-context
// merge honest. Run after building: `node packages/logging/bench/log-call.mjs`.
import pino from 'pino';
import { createLogger, RequestContext } from '../dist/index.js';

const sink = { write: () => true };
const fields = {
  req: { method: 'GET', url: '/users/1?page=2', headers: { host: 'example.test', accept: '*/*', 'user-agent': 'curl/8' } },
  status: 200,
  ms: 1.2,
};
const context = new RequestContext();
const bare = pino({ base: null, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, sink);
const plain = createLogger({ destination: sink });
const withContext = createLogger({ destination: sink, context });

function measure(name, logger) {
  const n = 200_000;
  for (let i = 0; i < 20_000; i++) logger.info(fields, 'request completed');
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) logger.info(fields, 'request completed');
  const ns = Number(process.hrtime.bigint() - start) / n;
  console.log(`${name.padEnd(36)} ${ns.toFixed(0).padStart(6)} ns/call`);
}

for (let round = 1; round <= 2; round++) {
  measure('pino, no redaction', bare);
  measure('createLogger', plain);
  context.run({ request_id: 'r-1', user_id: 'u-1' }, () => measure('createLogger + context, in a request', withContext));
}
