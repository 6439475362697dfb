import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, createRuntime, loadConfig, type Runtime } from '../src/index.js';
import { removeDir, tempDataDir } from './support/tsforge.js';

// In-process, no socket: what an application embedding the app would see.
describe('buildApp', () => {
  let dataDir: string;
  let runtime: Runtime;
  let app: FastifyInstance;

  beforeAll(async () => {
    dataDir = tempDataDir();
    const env = { TSFORGE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    runtime = await createRuntime(loadConfig(env), { env });
    app = await buildApp(runtime);
  });
  afterAll(async () => {
    await app.close();
    await runtime.close();
    removeDir(dataDir);
  });

  it('still validates JSON schemas, with Ajv loaded only when a route needs it', async () => {
    app.post('/with-schema', { schema: { body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } } }, async (request) => request.body);
    const bad = await app.inject({ method: 'POST', url: '/with-schema', payload: { n: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_request' });
    const good = await app.inject({ method: 'POST', url: '/with-schema', payload: { n: 1 } });
    expect(good.json()).toEqual({ n: 1 });
  });

  it('answers /health with the request id and nosniff headers', async () => {
    const response = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'inject-1' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-request-id']).toBe('inject-1');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('/ready is 200 with each check while the database and the file store answer', async () => {
    const response = await app.inject({ method: 'GET', url: '/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toEqual({ status: 'ready', checks: { database: 'ok', storage: 'ok' } });
  });

  it('/ready is 503 once the database stops answering and says nothing internal; /health (liveness) stays 200', async () => {
    await runtime.store.close();
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'unavailable', checks: { database: 'failed', storage: 'ok' } });
    // A database outage must not get every instance restarted by its liveness probe.
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });
});
