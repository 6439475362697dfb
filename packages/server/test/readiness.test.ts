import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { healthRoutes } from '../src/routes/health.js';
import type { Runtime } from '../src/runtime.js';
import { capturedLogger } from './support/log-capture.js';

describe('/ready logs an outage once, not once per probe', () => {
  it('a Redis that stops answering for three probes: one warning, one line when it is back; /ready stays 200 with redis degraded', async () => {
    let redisUp = true;
    const runtime = {
      store: { ping: async () => {} },
      disk: { check: async () => {} },
      redis: { ping: async () => { if (!redisUp) throw new Error('connection refused'); return 'PONG'; } },
      draining: false,
      config: { storage: { driver: 'local' } },
    } as unknown as Runtime;
    const { logger, lines } = capturedLogger();
    const app = Fastify();
    await app.register(healthRoutes(runtime, logger));
    const ready = async () => {
      const response = await app.inject({ method: 'GET', url: '/ready' });
      return [response.statusCode, response.json().checks.redis];
    };
    expect(await ready()).toEqual([200, 'ok']);
    redisUp = false;
    for (let probe = 0; probe < 3; probe++) expect(await ready()).toEqual([200, 'degraded']);
    redisUp = true;
    expect(await ready()).toEqual([200, 'ok']);
    expect(await ready()).toEqual([200, 'ok']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((l) => `${String(l.level)} ${String(l.msg)}`)).toEqual(['warn readiness check: redis did not answer', 'info readiness check: redis answers again']);
    await app.close();
  });
});

describe('/ready: what decides readiness', () => {
  const readiness = async (driver: 'local' | 's3', storageUp: boolean) => {
    const runtime = {
      store: { ping: async () => {} },
      disk: { check: async () => { if (!storageUp) throw new Error('ECONNREFUSED'); } },
      draining: false,
      config: { storage: { driver } },
    } as unknown as Runtime;
    const app = Fastify();
    await app.register(healthRoutes(runtime, capturedLogger().logger));
    const response = await app.inject({ method: 'GET', url: '/ready' });
    await app.close();
    return [response.statusCode, response.json()];
  };

  it('an S3 store that fails is reported but leaves the instance ready: it is shared, and OAuth works without it', async () => {
    expect(await readiness('s3', false)).toEqual([200, { status: 'ready', checks: { database: 'ok', storage: 'failed' } }]);
  });

  it('a local disk that fails is this instance\'s own: not ready', async () => {
    expect(await readiness('local', false)).toEqual([503, { status: 'unavailable', checks: { database: 'ok', storage: 'failed' } }]);
    expect(await readiness('local', true)).toEqual([200, { status: 'ready', checks: { database: 'ok', storage: 'ok' } }]);
  });
});
