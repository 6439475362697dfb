import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClient, getToken, removeDir, startTsforge, until } from './support/tsforge.js';

describe('lifecycle', () => {
  it('clients, tokens and files survive a restart', async () => {
    const first = await startTsforge();
    const { dataDir } = first;
    try {
      const client = await createClient(dataDir);
      const token = await getToken(first.url, client);
      await fetch(`${first.url}/api/files/keep.txt`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body: 'kept' });
      expect(await first.stop()).toBe(0);
      expect(existsSync(join(dataDir, 'tsforge.db'))).toBe(true);

      const second = await startTsforge({ dataDir });
      try {
        const file = await fetch(`${second.url}/api/files/keep.txt`, { headers: { authorization: `Bearer ${token}` } });
        expect(file.status).toBe(200);
        expect(file.headers.get('content-type')).toBe('text/plain');
        expect(await file.text()).toBe('kept');
        expect(await getToken(second.url, client)).toMatch(/\S{43,}/);
      } finally {
        await second.stop();
      }
    } finally {
      removeDir(dataDir);
    }
  });

  it('SIGTERM finishes an in-flight upload before exiting', async () => {
    const server = await startTsforge();
    try {
      const token = await getToken(server.url, await createClient(server.dataDir));
      let exited: Promise<number | null> | undefined;
      const done = new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${server.url}/api/files/slow.bin`, {
          method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-length': '20000' },
        }, (res) => { res.resume(); resolve(res.statusCode!); });
        req.on('error', reject);
        req.write(Buffer.alloc(10000, 1));
        // The signal arrives mid-upload; the second half after it.
        setTimeout(() => {
          exited = server.stop('SIGTERM');
          setTimeout(() => req.end(Buffer.alloc(10000, 2)), 300);
        }, 200);
      });
      expect(await done).toBe(201);
      expect(await exited).toBe(0);
      const shutdown = server.logs().map((l) => l.msg);
      expect(shutdown).toContain('shutting down: draining in-flight requests');
      expect(shutdown.at(-1)).toBe('stopped');
    } finally {
      removeDir(server.dataDir);
    }
  });

  it('SIGTERM with TSFORGE_SHUTDOWN_DELAY_MS: /ready is 503 "draining" at once while every other request is still served, then it drains and exits 0', async () => {
    const server = await startTsforge({ env: { TSFORGE_SHUTDOWN_DELAY_MS: '1500' } });
    try {
      const client = await createClient(server.dataDir);
      const token = await getToken(server.url, client);
      // A keep-alive connection the balancer already holds: it keeps working during the delay.
      expect((await fetch(`${server.url}/ready`)).status).toBe(200);
      const exited = server.stop('SIGTERM');
      await until(() => server.logs().some((l) => l.msg === 'shutting down: /ready answers 503, still serving'));
      const ready = await fetch(`${server.url}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'draining', checks: { database: 'ok', storage: 'ok' } });
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      expect(await getToken(server.url, client)).toMatch(/\S{43,}/);
      expect((await fetch(`${server.url}/api/files?limit=1`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect(await exited).toBe(0);
      const messages = server.logs().map((l) => l.msg);
      expect(messages.indexOf('shutting down: /ready answers 503, still serving')).toBeLessThan(messages.indexOf('shutting down: draining in-flight requests'));
      expect(messages.at(-1)).toBe('stopped');
      // Draining is /ready's answer, not a failure: info, and no 'request failed' at error.
      expect(server.logs().filter((l) => l.route === '/ready' && l.status === 503).map((l) => [l.level, l.msg])).toEqual([['info', 'not ready']]);
      expect(server.logs().filter((l) => l.level === 'error')).toEqual([]);
    } finally {
      removeDir(server.dataDir);
    }
  });

  it('a request that arrives on an open connection once the listener has closed: 503 temporarily_unavailable, Retry-After, Connection: close', async () => {
    const server = await startTsforge();
    try {
      const token = await getToken(server.url, await createClient(server.dataDir));
      // An upload in flight keeps the drain going; another connection has sent half a request.
      const upload = await openSocket(server.url);
      upload.socket.write(`PUT /api/files/slow.bin HTTP/1.1\r\nHost: tsforge\r\nAuthorization: Bearer ${token}\r\nContent-Length: 8\r\n\r\n0123`);
      const late = await openSocket(server.url);
      late.socket.write('GET /api/files HTTP/1.1\r\nHost: tsforge\r\n');
      // Until the server has read those bytes, both connections are idle to it, and shutdown
      // closes idle connections at once: give a loaded machine time to read them.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const exited = server.stop('SIGTERM');
      await until(() => server.logs().some((l) => l.msg === 'shutting down: draining in-flight requests'));
      late.socket.write(`Authorization: Bearer ${token}\r\n\r\n`);
      await until(() => late.closed());
      upload.socket.write('4567');
      expect(await exited).toBe(0);

      const [head, body] = late.data().split('\r\n\r\n') as [string, string];
      const headers = head.toLowerCase().split('\r\n');
      expect(headers[0]).toBe('http/1.1 503 service unavailable');
      // RFC 9110 §10.2.3: a 503 says when to come back (another instance will take it at once).
      expect(headers).toContain('retry-after: 5');
      expect(headers).toContain('connection: close');
      expect(JSON.parse(body)).toEqual({ error: 'temporarily_unavailable', error_description: 'the server is shutting down; try again later' });
      expect(upload.data()).toMatch(/^HTTP\/1\.1 201 /);
      // Expected on the way out: an info access line, not 'request failed' at error.
      expect(server.logs().filter((l) => l.path === '/api/files').map((l) => [l.level, l.msg, l.status])).toEqual([['info', 'refused: shutting down', 503]]);
      expect(server.logs().filter((l) => l.level === 'error')).toEqual([]);
    } finally {
      removeDir(server.dataDir);
    }
  });

  it('starts in well under a second', async () => {
    const t0 = performance.now();
    const server = await startTsforge();
    const elapsed = performance.now() - t0;
    await server.stop();
    removeDir(server.dataDir);
    // A loose bound on a shared machine; the point is "not seconds".
    expect(elapsed).toBeLessThan(3000);
  });
});

/** A raw connection: what the server sent so far, and whether it has closed. */
function openSocket(url: string): Promise<{ socket: Socket; data(): string; closed(): boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let data = '';
    let closed = false;
    const socket = connect(Number(port), hostname, () => resolve({ socket, data: () => data, closed: () => closed }));
    socket.setEncoding('utf8').on('data', (d: string) => (data += d));
    socket.on('close', () => (closed = true));
    socket.once('error', reject);
  });
}
