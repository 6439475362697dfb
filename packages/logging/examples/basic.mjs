// Run after building: `npx tsc -b packages/logging && node packages/logging/examples/basic.mjs`
// Try LOG_FORMAT=compact, LOG_FORMAT=pretty or LOG_LEVEL=debug in front of it.
import { createLogger, flushLogger, logConfigFromEnv, RequestContext, RequestId } from '../dist/index.js';

const context = new RequestContext();
const logger = createLogger({ ...logConfigFromEnv(), base: { service: 'example' }, context });

logger.info({ version: process.version }, 'example starting');

// What a server does for each request: take the caller's id if it is valid, or make one.
async function handle(headers) {
  const request_id = RequestId.from(headers['x-request-id']);
  return context.run({ request_id }, async () => {
    const db = logger.child({ module: 'db' });
    db.debug({ sql: 'select 1' }, 'query');
    await new Promise((resolve) => setTimeout(resolve, 5));
    logger.info({ headers, user: { name: 'eve', password: 'hunter2' } }, 'login attempt');
    try {
      throw new Error('user store unavailable', { cause: new Error('connect ECONNREFUSED 127.0.0.1:5432') });
    } catch (err) {
      logger.error({ err }, 'login failed');
    }
  });
}

await handle({ 'x-request-id': 'abc-123', authorization: 'Bearer secret-token' });
await handle({ 'x-request-id': 'not valid\n', cookie: 'sid=secret' });
logger.warn('login failed for eve\n2030-01-01T00:00:00Z INFO admin login ok');
await flushLogger(logger);
