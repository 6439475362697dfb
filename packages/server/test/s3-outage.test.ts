import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, storageSettings } from '../src/config.js';
import { describeSwift, swiftForSuite } from './support/swift.js';
import { createClient, getToken, serverForSuite, until, type Client } from './support/tsforge.js';

const UNAVAILABLE = { error: 'temporarily_unavailable', error_description: 'the storage service is temporarily unavailable; try again later' };

describe('S3_CONNECT_TIMEOUT_MS and S3_SOCKET_TIMEOUT_MS', () => {
  const s3 = { STORAGE_DRIVER: 's3', S3_BUCKET: 'b-1' };
  it('reach the S3 disk settings as numbers; unset, the driver defaults apply', () => {
    expect(storageSettings({ ...s3, S3_CONNECT_TIMEOUT_MS: '1500', S3_SOCKET_TIMEOUT_MS: '20000' })).toMatchObject({ connectTimeoutMs: 1500, socketTimeoutMs: 20_000 });
    const defaults = storageSettings(s3);
    expect('connectTimeoutMs' in defaults || 'socketTimeoutMs' in defaults).toBe(false);
  });

  it.each([['S3_CONNECT_TIMEOUT_MS', '0'], ['S3_CONNECT_TIMEOUT_MS', '1.5s'], ['S3_SOCKET_TIMEOUT_MS', '3600001']])('%s=%s is a configuration error naming it', (name, value) => {
    expect(() => storageSettings({ ...s3, [name]: value })).toThrow(ConfigError);
    expect(() => storageSettings({ ...s3, [name]: value })).toThrow(name);
  });
});

describeSwift('tsforge serve on S3 while the store is down: 503 with Retry-After, the rest still serves, recovery without a restart', () => {
  const swift = swiftForSuite('tsforge-outage');
  // Short timeouts so a frozen store is noticed within the test's patience.
  const server = serverForSuite(() => ({ env: { ...swift.env(), S3_CONNECT_TIMEOUT_MS: '1000', S3_SOCKET_TIMEOUT_MS: '1000' } }));
  let client: Client;
  let token: string;
  let state: 'up' | 'killed' | 'frozen' = 'up';
  beforeAll(async () => {
    client = await createClient(server.dataDir);
    token = await getToken(server.url, client);
  });
  afterEach(async () => {
    if (state === 'killed') await swift.server().restart();
    if (state === 'frozen') swift.server().thaw();
    state = 'up';
  }, 120_000);

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}/api/files/${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } });

  /** The answer and how long it took, in ms. */
  async function timed(run: () => Promise<Response>): Promise<{ response: Response; body: string; ms: number }> {
    const start = performance.now();
    const response = await run();
    const body = await response.text();
    return { response, body, ms: performance.now() - start };
  }

  async function expectUnavailable(run: () => Promise<Response>, withinMs: number): Promise<void> {
    const { response, body, ms } = await timed(run);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(JSON.parse(body)).toEqual(UNAVAILABLE);
    expect(body).not.toContain(swift.server().endpoint.replace('http://', ''));
    expect(ms).toBeLessThan(withinMs);
  }

  it('refused (proxy killed): PUT and GET → 503 within 3 s; /oauth/token and /health → 200; after a restart the files work again', async () => {
    expect((await api('kept.txt', { method: 'PUT', body: 'before' })).status).toBe(201);
    await swift.server().kill();
    state = 'killed';

    await expectUnavailable(() => api('new.txt', { method: 'PUT', body: 'x', headers: { 'content-type': 'text/plain' } }), 3000);
    await expectUnavailable(() => api('kept.txt'), 3000);
    await expectUnavailable(() => api('big.bin', { method: 'PUT', body: Buffer.alloc(256 * 1024, 1) }), 3000);

    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    // A new token: the OAuth side does not touch the store.
    expect(await getToken(server.url, client)).toEqual(expect.any(String));
    // Reported, but still ready: the store is every instance's, and a balancer routing by /ready
    // would otherwise drop them all, OAuth with them.
    const ready = await fetch(`${server.url}/ready`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', checks: { database: 'ok', storage: 'failed' } }]);

    await swift.server().restart();
    state = 'up';
    expect((await api('new.txt', { method: 'PUT', body: 'after', headers: { 'content-type': 'text/plain' } })).status).toBe(201);
    const back = await api('new.txt');
    expect(back.status).toBe(200);
    expect(await back.text()).toBe('after');
    expect(await (await api('kept.txt')).text()).toBe('before');
  });

  it('the log has the cause at warn (ECONNREFUSED, the route), and no credentials', async () => {
    await until(() => server.logs().some((line) => line.msg === 'storage unavailable'));
    const line = server.logs().find((l) => l.msg === 'storage unavailable')!;
    expect(line).toMatchObject({ level: 'warn', route: '/api/files/*', err: { code: 'E_UNAVAILABLE', cause: { code: 'ECONNREFUSED' } } });
    const all = server.lines.join('\n');
    expect(all).not.toContain(swift.server().secretAccessKey);
    expect(all).not.toContain(token);
  });

  it('hung (proxy frozen): GET and PUT → 503 after the 1 s socket timeout, not a hang (cause TimeoutError in the log); /health → 200; after a thaw the files work again', async () => {
    expect((await api('hung.txt', { method: 'PUT', body: 'before' })).status).toBe(201);
    swift.server().freeze();
    state = 'frozen';

    await expectUnavailable(() => api('hung.txt'), 3000);
    await expectUnavailable(() => api('hung-new.txt', { method: 'PUT', body: 'x' }), 3000);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);

    swift.server().thaw();
    state = 'up';
    expect(await (await api('hung.txt')).text()).toBe('before');
    expect((await api('hung-new.txt', { method: 'PUT', body: 'after' })).status).toBe(201);
    const hung = server.logs().filter((l) => l.msg === 'storage unavailable' && (l.err as { cause?: { name?: string } }).cause?.name === 'TimeoutError');
    expect(hung.length).toBeGreaterThanOrEqual(2);
  });

  it('hung in the middle of a streamed upload: 503 after the socket timeout, and the previous version stays', async () => {
    expect((await api('streamed.bin', { method: 'PUT', body: 'previous' })).status).toBe(201);
    const MiB = 1024 * 1024;
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === 4 * MiB && state === 'up') {
          // Time for the server's HEAD before the write: the store hangs once the upload is under way.
          await new Promise((resolve) => setTimeout(resolve, 500));
          swift.server().freeze();
          state = 'frozen';
        }
        if (sent === 20 * MiB) return controller.close();
        await new Promise((resolve) => setTimeout(resolve, 20));
        controller.enqueue(new Uint8Array(MiB).fill(7));
        sent += MiB;
      },
    });
    await expectUnavailable(() => api('streamed.bin', { method: 'PUT', body, duplex: 'half' } as RequestInit), 5000);
    // The access line names the path; the warn line of the same request id has the cause.
    await until(() => server.logs().some((l) => l.path === '/api/files/streamed.bin' && l.status === 503));
    const failed = server.logs().find((l) => l.path === '/api/files/streamed.bin' && l.status === 503)!;
    const cause = server.logs().find((l) => l.msg === 'storage unavailable' && l.request_id === failed.request_id)?.err as { cause?: { name?: string }; stack?: string };
    expect(cause.cause?.name).toBe('TimeoutError');
    swift.server().thaw();
    state = 'up';
    const back = await api('streamed.bin');
    expect(await back.text()).toBe('previous');
  });
});
