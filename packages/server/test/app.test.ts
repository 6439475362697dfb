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

  it('/health is 503 once the database stops answering, and says nothing internal', async () => {
    await runtime.store.close();
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ error: 'unavailable', error_description: 'database unavailable' });
  });
});
