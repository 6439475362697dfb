// Run after building: `npx tsc -b packages/logging && node packages/logging/examples/service.mjs`
// Try LOG_LEVEL=info,db=debug, LOG_FORMAT=pretty, or LOG_DIR=/tmp/example-logs in front of it.
import { initLogging, LogConfig } from '../dist/index.js';

const logging = initLogging({ ...LogConfig.fromEnv(), base: { service: 'example' } });
const db = logging.module('db');

// What a server does for each request: one span per request, from the caller's headers.
async function handle(headers) {
  return logging.runRequest(headers, async () => {
    const timer = logging.timer('db.query', db);
    db.debug({ sql: 'select 1' }, 'query');
    await new Promise((resolve) => setTimeout(resolve, 5));
    timer.stop({ rows: 1 });
    // Headers for a call to another service: same trace, a new span id.
    logging.logData('info', 'calling billing', { headers: logging.outgoingHeaders() });
  });
}

await handle({ 'x-request-id': 'abc-123', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
await handle({ 'x-request-id': 'spoofed" injected="1', traceparent: 'ff-not-a-valid-traceparent' });

logging.setLevel('debug'); // what SIGUSR2 or PUT /admin/log-level do in tsforge serve
db.debug('now visible: module loggers follow run-time changes');
await logging.flush();
