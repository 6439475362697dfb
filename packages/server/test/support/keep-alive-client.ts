import { Agent, request } from 'node:http';

export interface PlainResponse {
  status: number;
  body: Buffer;
}

/**
 * HTTP/1.1 requests to one origin over at most `maxSockets` keep-alive connections. Unlike the
 * global fetch (whose pool opens a connection per concurrent request without limit), the number
 * of connections the server sees is bounded, so its count of open descriptors can be compared
 * over time.
 */
export class KeepAliveClient {
  readonly #agent: Agent;
  readonly #base: URL;

  constructor(base: string, maxSockets: number) {
    this.#base = new URL(base);
    this.#agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  send(method: string, path: string, o: { headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {}): Promise<PlainResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...o.headers };
      if (o.body !== undefined) headers['content-length'] = Buffer.byteLength(o.body);
      const req = request({ agent: this.#agent, host: this.#base.hostname, port: this.#base.port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.setTimeout(o.timeoutMs ?? 30_000, () => req.destroy(new Error(`${method} ${path}: no answer in time`)));
      req.on('error', reject);
      req.end(o.body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
