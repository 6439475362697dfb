import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { withTsforge } from './support/tsforge.js';

/** One keep-alive connection: send a request, read one whole response (Content-Length framed). */
class Connection {
  readonly socket: Socket;
  closedAt: number | undefined;
  #data = '';
  #waiter: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8').on('data', (d: string) => { this.#data += d; this.#waiter?.(); });
    socket.on('close', () => { this.closedAt = Date.now(); this.#waiter?.(); });
  }

  static open(url: string): Promise<Connection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => resolve(new Connection(socket)));
      socket.once('error', reject);
    });
  }

  async get(path: string): Promise<{ status: number; headers: Record<string, string> }> {
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: tsforge\r\n\r\n`);
    for (;;) {
      const end = this.#data.indexOf('\r\n\r\n');
      if (end !== -1) {
        const [statusLine, ...lines] = this.#data.slice(0, end).split('\r\n');
        const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        const length = Number(headers['content-length'] ?? 0);
        if (this.#data.length >= end + 4 + length) {
          this.#data = this.#data.slice(end + 4 + length);
          return { status: Number(statusLine!.slice(9, 12)), headers };
        }
      }
      if (this.closedAt !== undefined) throw new Error('connection closed before a whole response');
      await new Promise<void>((r) => (this.#waiter = r));
    }
  }

  untilClosed(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closedAt !== undefined) return resolve();
      const timer = setTimeout(() => reject(new Error('still open')), timeoutMs);
      this.socket.once('close', () => { clearTimeout(timer); resolve(); });
    });
  }
}

describe('keep-alive behind a load balancer: TSFORGE_IDLE_TIMEOUT_MS is the one idle limit', () => {
  it('by default an idle keep-alive connection lasts 75 s, above the 60 s idle timeout of common load balancers', async () => {
    await withTsforge({}, async (server) => {
      const connection = await Connection.open(server.url);
      const response = await connection.get('/health');
      expect(response.status).toBe(200);
      // RFC 9112 §9.3 persistent connection; Node announces its keep-alive timeout in seconds.
      expect(response.headers['keep-alive']).toBe('timeout=75');
      connection.socket.destroy();
    });
  });

  it('a setting above Fastify’s own 72 s keep-alive timeout applies between requests too', async () => {
    await withTsforge({ env: { TSFORGE_IDLE_TIMEOUT_MS: '620000' } }, async (server) => {
      const connection = await Connection.open(server.url);
      expect((await connection.get('/health')).headers['keep-alive']).toBe('timeout=620');
      connection.socket.destroy();
    });
  });

  it('a connection idle for less is reused; one idle for longer is closed by the server', async () => {
    await withTsforge({ env: { TSFORGE_IDLE_TIMEOUT_MS: '1500' } }, async (server) => {
      const connection = await Connection.open(server.url);
      expect((await connection.get('/health')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 800));
      expect((await connection.get('/health')).status).toBe(200);
      const idleSince = Date.now();
      await connection.untilClosed(5000);
      expect(connection.closedAt! - idleSince).toBeGreaterThanOrEqual(1200);
    });
  });
});
