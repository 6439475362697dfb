import type { FastifyInstance } from 'fastify';
import type { Logger } from '@tsforge/logging';
import type { Runtime } from '../runtime.js';

/** A dependency slower than this counts as down: a probe must answer well inside its own timeout. */
const CHECK_TIMEOUT_MS = 2000;

type CheckState = 'ok' | 'failed' | 'degraded';

/**
 * `/health` is liveness: the process answers. It checks nothing outside the process, so a
 * database outage does not get every instance restarted at once. `/ready` is readiness, what a
 * load balancer routes by: the database must answer, and a draining instance is not ready.
 * Redis and an S3 store are reported but do not decide: Redis is optional (limits fall back to
 * per-instance, the cache off), and an S3 store is shared by every instance, so its outage would
 * take them all out of the pool at once, OAuth included, which works without it. A local disk
 * is this instance's own: when it fails, this instance is not ready.
 */
export function healthRoutes(runtime: Pick<Runtime, 'store' | 'disk' | 'redis' | 'draining' | 'config'>, logger: Logger) {
  const storageDecides = runtime.config.storage.driver === 'local';
  const probe = changeLogger(logger);
  return async function routes(app: FastifyInstance) {
    app.get('/health', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));

    app.get('/ready', async (_request, reply) => {
      const [database, storage, redis] = await Promise.all([
        probe('database', () => runtime.store.ping()),
        probe('storage', () => runtime.disk.check()),
        runtime.redis ? probe('redis', () => runtime.redis!.ping()) : undefined,
      ]);
      const checks: Record<string, CheckState> = { database, storage, ...(redis ? { redis: redis === 'ok' ? 'ok' : 'degraded' } : {}) };
      const ready = !runtime.draining && database === 'ok' && (storage === 'ok' || !storageDecides);
      const status = runtime.draining ? 'draining' : ready ? 'ready' : 'unavailable';
      return reply.code(ready ? 200 : 503).header('cache-control', 'no-store').send({ status, checks });
    });
  };
}

/**
 * Runs a check and logs only when its outcome changes: a balancer probes every few seconds, and
 * an outage is one event, not one warning per probe per balancer.
 */
function changeLogger(logger: Logger) {
  const failing = new Set<string>();
  return async function probe(name: string, check: () => Promise<unknown>): Promise<CheckState> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        check(),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS); }),
      ]);
      if (failing.delete(name)) logger.info({ check: name }, `readiness check: ${name} answers again`);
      return 'ok';
    } catch (err) {
      if (!failing.has(name)) logger.warn({ err, check: name }, `readiness check: ${name} did not answer`);
      failing.add(name);
      return 'failed';
    } finally {
      clearTimeout(timer);
    }
  };
}
